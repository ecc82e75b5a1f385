'use client';

import { useEffect, useState } from 'react';
import { Button } from '@/components/ui/button';
import { InstructionsEditor, sendJson } from '@/components/settings/instructions-editor';

/** This conversation's system prompt, read when opened (it began as the custom instructions) and saved for its next answers. */
export function ConversationInstructions({ conversationId, onClose }: { conversationId: string; onClose(): void }) {
  const path = `/api/conversations/${encodeURIComponent(conversationId)}`;
  const [loaded, setLoaded] = useState<{ systemPrompt: string | null } | { error: string }>();
  useEffect(() => {
    const controller = new AbortController();
    fetch(path, { signal: controller.signal })
      .then(async (response) => setLoaded(response.ok ? ((await response.json()) as { systemPrompt: string | null }) : { error: `Could not load it (${response.status}).` }))
      .catch(() => controller.signal.aborted || setLoaded({ error: 'Could not reach the server.' }));
    return () => controller.abort();
  }, [path]);

  return (
    <section aria-label="Conversation instructions" className="border-b border-line bg-surface-raised px-4 py-3">
      <div className="mx-auto flex max-w-3xl flex-col gap-2">
        {!loaded ? (
          <p className="text-sm text-ink-muted">Loading…</p>
        ) : 'error' in loaded ? (
          <p role="alert" className="text-sm text-danger">
            {loaded.error}
          </p>
        ) : (
          <InstructionsEditor
            label="System prompt for this conversation"
            hint="Told to the model before the turns, from its next answer on. It began as your custom instructions (Settings); empty means none."
            initial={loaded.systemPrompt}
            save={(systemPrompt) => sendJson(path, 'PATCH', { systemPrompt: systemPrompt ?? '' })}
          />
        )}
        <Button variant="ghost" className="self-end" onClick={onClose}>
          Close
        </Button>
      </div>
    </section>
  );
}
