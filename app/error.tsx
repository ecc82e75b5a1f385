'use client';

import { useEffect } from 'react';

/** A page that failed to render: say so plainly, offer another try and a way back. */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => console.error(error), [error]);
  return (
    <main className="mx-auto flex min-h-dvh w-full max-w-md flex-col items-center justify-center gap-4 px-6 text-center">
      <h1 className="text-2xl font-semibold tracking-tight">Something went wrong</h1>
      <p className="text-sm text-ink-muted">
        This page could not be shown. Nothing you wrote was lost: your conversations are saved as they are sent.
        {error.digest && <span className="mt-2 block font-mono text-xs">Reference: {error.digest}</span>}
      </p>
      <div className="flex gap-2">
        <button type="button" onClick={reset} className="rounded-lg bg-accent px-3 py-2 text-sm font-medium text-white hover:opacity-90">
          Try again
        </button>
        {/* eslint-disable-next-line @next/next/no-html-link-for-pages */}
        <a href="/" className="rounded-lg border border-line px-3 py-2 text-sm font-medium hover:bg-line/40">
          Back to chat
        </a>
      </div>
    </main>
  );
}
