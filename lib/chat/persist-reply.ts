import 'server-only';
import type { Generation } from '@/lib/ai/generation';
import type { Database } from '@/lib/db/database';
import { addMessage, updateMessage } from '@/lib/db/queries';
import { storableText } from '@/lib/text/storable';
import { accountUsage } from '@/lib/usage/account';

/**
 * While a reply grows, its text is saved at most this often. Time, not size: each save writes the
 * whole text so far, so saving per N characters costs O(length²) on a fast stream (measured: a
 * 5000-token burst relayed 4× slower), while a second is all a crash can lose.
 */
export const FLUSH_INTERVAL_MS = 1000;

/**
 * Stores an assistant reply as it is generated: its row when the stream starts, its text as it
 * grows (at most once a second, never per token), and its final state when it ends, however it
 * ends and whether or not anyone is still reading. Writes are made one after another, in order;
 * a failing write is logged and never disturbs the stream.
 * Resolves once the final state is saved.
 */
export function persistReply(
  db: Database,
  reply: { conversationId: string; parentId: string; model: string },
  generation: Generation,
): Promise<void> {
  const { conversationId } = reply;
  const id = generation.messageId;
  let writes: Promise<unknown> = Promise.resolve();
  const write = (operation: () => Promise<unknown>) => {
    writes = writes.then(operation).catch((error: unknown) => console.error(`[runnel] saving reply ${id} failed`, error));
  };
  let savedLength = generation.receivedLength;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (generation.receivedLength === savedLength) return;
    savedLength = generation.receivedLength;
    const parts = storableParts(generation);
    write(() => updateMessage(db, conversationId, id, { parts }));
  };

  write(() =>
    addMessage(db, { id, conversationId, parentId: reply.parentId, role: 'assistant', parts: storableParts(generation), status: 'streaming', model: reply.model }),
  );
  return new Promise((resolve) => {
    generation.subscribe({
      chunk(chunk) {
        if (chunk.type === 'text-delta' || chunk.type === 'reasoning-delta') timer ??= setTimeout(flush, FLUSH_INTERVAL_MS);
      },
      end() {
        clearTimeout(timer);
        const { firstTokenMs, durationMs } = generation.timing();
        const final = {
          parts: storableParts(generation),
          // Always ended by now; the type cannot say so.
          status: generation.status === 'pending' || generation.status === 'streaming' ? ('error' as const) : generation.status,
          error: generation.error?.message ?? null,
          firstTokenMs: firstTokenMs ?? null,
          durationMs,
        };
        write(async () => updateMessage(db, conversationId, id, { ...final, usage: await accountUsage(generation) }));
        void writes.then(() => resolve());
      },
    });
  });
}

/** Model output is untrusted input too: a NUL or a lone surrogate in it must not make the reply unsaveable. */
const storableParts = (generation: Generation) => generation.contentParts().map((part) => ({ ...part, text: storableText(part.text) }));
