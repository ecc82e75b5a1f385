import Link from 'next/link';
import type { ReactNode } from 'react';

const PAGES = [
  { href: '/usage', label: 'Usage' },
  { href: '/settings', label: 'Settings' },
  { href: '/account', label: 'Account' },
] as const;

/** The frame of the pages beside the chat (usage, settings, account): a way back, the others, a title. */
export function PageShell({ title, current, children }: { title: string; current: (typeof PAGES)[number]['href']; children: ReactNode }) {
  return (
    <main className="mx-auto w-full max-w-3xl px-4 py-8">
      <nav className="mb-6 flex gap-4 text-sm">
        <Link href="/" className="text-ink-muted hover:text-ink">
          ← Back to chat
        </Link>
        {PAGES.map((page) => (
          <Link key={page.href} href={page.href} aria-current={page.href === current ? 'page' : undefined} className="text-ink-muted hover:text-ink aria-[current=page]:text-ink">
            {page.label}
          </Link>
        ))}
      </nav>
      <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
      {children}
    </main>
  );
}
