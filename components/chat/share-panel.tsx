'use client';

import { useEffect, useState } from 'react';
import { Button } from '@/components/ui/button';

/** Makes a share link for the conversation as it is now (one per opening) and shows it to copy. */
export function SharePanel({ conversationId, onClose }: { conversationId: string; onClose(): void }) {
  const [link, setLink] = useState<{ url: string } | { error: string }>();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    const controller = new AbortController();
    fetch(`/api/conversations/${encodeURIComponent(conversationId)}/share`, { method: 'POST', signal: controller.signal })
      .then(async (response) => {
        const body = (await response.json().catch(() => ({}))) as { path?: string; error?: { message?: string } };
        setLink(body.path ? { url: new URL(body.path, window.location.origin).toString() } : { error: body.error?.message ?? `No link (${response.status}).` });
      })
      .catch(() => controller.signal.aborted || setLink({ error: 'Could not reach the server.' }));
    return () => controller.abort();
  }, [conversationId]);

  return (
    <section aria-label="Share" className="border-b border-line bg-surface-raised px-4 py-3">
      <div className="mx-auto flex max-w-3xl flex-col gap-2 text-sm">
        {!link ? (
          <p className="text-ink-muted">Making a link…</p>
        ) : 'error' in link ? (
          <p role="alert" className="text-danger">
            {link.error}
          </p>
        ) : (
          <>
            <label className="flex flex-col gap-1 font-medium">
              Anyone with this link can read the conversation as it is now
              <input readOnly value={link.url} onFocus={(event) => event.target.select()} className="rounded-lg border border-line bg-surface px-3 py-1.5 font-normal" />
            </label>
            <p className="text-ink-muted">Later messages are not in it: share again to include them. Revoke links in Settings.</p>
            <div className="flex items-center gap-3">
              <Button variant="secondary" onClick={() => void navigator.clipboard.writeText(link.url).then(() => setCopied(true), () => setCopied(false))}>
                Copy link
              </Button>
              {copied && <span role="status">Copied.</span>}
            </div>
          </>
        )}
        <Button variant="ghost" className="self-end" onClick={onClose}>
          Close
        </Button>
      </div>
    </section>
  );
}
