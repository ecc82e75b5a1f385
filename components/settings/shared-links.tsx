'use client';

import { useState } from 'react';
import { Button } from '@/components/ui/button';

export interface SharedLinkView {
  id: string;
  title: string;
  path: string;
  createdAt: string;
}

/** Settings: the identity's share links, each with "Revoke" (the link is a 404 from then on). */
export function SharedLinks({ initial }: { initial: SharedLinkView[] }) {
  const [links, setLinks] = useState(initial);
  const [failure, setFailure] = useState<string>();
  const revoke = async (link: SharedLinkView) => {
    setFailure(undefined);
    const response = await fetch(`/api/shares/${encodeURIComponent(link.id)}`, { method: 'DELETE' });
    if (!response.ok) return setFailure(`“${link.title}” could not be revoked (${response.status}).`);
    setLinks((list) => list.filter((l) => l.id !== link.id));
  };
  return (
    <section aria-labelledby="shared-links" className="mt-8 space-y-3">
      <h2 id="shared-links" className="text-lg font-semibold">
        Shared links
      </h2>
      {links.length === 0 ? (
        <p className="text-sm text-ink-muted">None. “Share” in a conversation’s header makes one.</p>
      ) : (
        <ul aria-label="Shared links" className="divide-y divide-line text-sm">
          {links.map((link) => (
            <li key={link.id} className="flex items-center gap-3 py-2">
              <a href={link.path} className="min-w-0 flex-1 truncate underline">
                {link.title || 'Untitled conversation'}
              </a>
              <span className="text-ink-muted">{link.createdAt.slice(0, 10)}</span>
              <Button variant="ghost" onClick={() => void revoke(link)}>
                Revoke
              </Button>
            </li>
          ))}
        </ul>
      )}
      {failure && (
        <p role="alert" className="text-sm text-danger">
          {failure}
        </p>
      )}
    </section>
  );
}
