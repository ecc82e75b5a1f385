import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { sharedConversation } from '@/lib/chat/shares';
import { getDatabase } from '@/lib/db';

type Props = { params: Promise<{ id: string }> };

// Read once per request, by the metadata and the page.
const loadShare = cache(async (id: string) => sharedConversation(await getDatabase(), id));

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const share = await loadShare((await params).id);
  const title = share ? `${share.title || 'A conversation'} · Runnel` : 'Not found · Runnel';
  // Shared links are for whom they are given to, not for search engines.
  return { title, robots: { index: false, follow: false }, openGraph: share ? { title, type: 'article', siteName: 'Runnel' } : undefined };
}

const SPEAKER = { user: 'You', assistant: 'Assistant', system: 'System' } as const;

/** A shared conversation, read-only and rendered on the server: readable with no script at all. */
export default async function SharedPage({ params }: Props) {
  const share = await loadShare((await params).id);
  if (!share) notFound();
  return (
    <main className="mx-auto w-full max-w-3xl px-4 py-8">
      <p className="text-sm text-ink-muted">Shared from Runnel · {share.sharedAt.toISOString().slice(0, 10)}</p>
      <h1 className="mt-1 text-2xl font-semibold tracking-tight">{share.title || 'A conversation'}</h1>
      <ol className="mt-6 flex flex-col gap-6">
        {share.messages.map((message, index) => (
          <li key={index} data-role={message.role}>
            <p className="mb-1 text-xs font-medium uppercase tracking-wide text-ink-muted">{SPEAKER[message.role]}</p>
            {message.files.length > 0 && (
              <p className="mb-1 text-sm text-ink-muted">
                {/* Names only: the files themselves are not shared. */}
                Attached: {message.files.join(', ')}
              </p>
            )}
            {message.text && <div className={`whitespace-pre-wrap break-words leading-7 ${message.role === 'user' ? 'rounded-xl bg-surface-raised px-4 py-3' : ''}`}>{message.text}</div>}
          </li>
        ))}
      </ol>
      <p className="mt-10 border-t border-line pt-4 text-sm text-ink-muted">
        A read-only copy, as it was when shared. {/* eslint-disable-next-line @next/next/no-html-link-for-pages */}
        <a href="/" className="underline">
          Start your own chat
        </a>
      </p>
    </main>
  );
}
