import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = { title: 'Not found · Runnel', robots: { index: false } };

/**
 * Any page that is not there, and any conversation that is not the visitor's: the two look the
 * same, so nobody learns that someone else's conversation exists.
 */
export default function NotFound() {
  return (
    <main className="mx-auto flex min-h-dvh w-full max-w-md flex-col items-center justify-center gap-4 px-6 text-center">
      <p className="text-sm font-medium text-ink-muted">404</p>
      <h1 className="text-2xl font-semibold tracking-tight">Page not found</h1>
      <p className="text-sm text-ink-muted">
        Nothing is here: it may have been deleted, or it belongs to someone else. Sign in on this device to see your own conversations.
      </p>
      <div className="flex gap-2">
        {/* A full load: the chat starts afresh. */}
        {/* eslint-disable-next-line @next/next/no-html-link-for-pages */}
        <a href="/" className="rounded-lg bg-accent px-3 py-2 text-sm font-medium text-white hover:opacity-90">
          Back to chat
        </a>
        <Link href="/sign-in" className="rounded-lg border border-line px-3 py-2 text-sm font-medium hover:bg-line/40">
          Sign in
        </Link>
      </div>
    </main>
  );
}
