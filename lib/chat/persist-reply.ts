import 'server-only';
import type { Generation } from '@/lib/ai/generation';
import type { Database } from '@/lib/db/database';
import { retryWhileDatabaseAway } from '@/lib/db/outage';
import { saveReply } from '@/lib/db/batched-writes';
import type { ReplyRow } from '@/lib/db/queries';
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
 * ends and whether or not anyone is still reading. A reply's writes are made one after another, in
 * order, gathered with other replies' into few statements (lib/db/batched-writes.ts); a failing
 * write is logged and never disturbs the stream. While the database is away the stream goes on;
 * each save holds the whole reply so far, so saving resumes where it stands when the database is
 * back, and the final save keeps trying for a while.
 * Resolves once the final state is saved (or given up on).
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
  /** The row as it stands: each save writes all of it, and the first adds it. */
  const save = (fields: Pick<ReplyRow, 'parts' | 'status'> & Partial<ReplyRow>) =>
    saveReply(db, { id, conversationId, parentId: reply.parentId, model: reply.model, ...fields });
  let savedLength = generation.receivedLength;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (generation.receivedLength === savedLength) return;
    savedLength = generation.receivedLength;
    const parts = storableParts(generation);
    write(() => save({ parts, status: 'streaming' }));
  };

  write(() => save({ parts: storableParts(generation), status: 'streaming' }));
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
        write(async () => {
          const usage = await accountUsage(generation);
          await retryWhileDatabaseAway(() => save({ ...final, usage }));
        });
        void writes.then(() => resolve());
      },
    });
  });
}

/** Model output is untrusted input too: a NUL or a lone surrogate in it must not make the reply unsaveable. */
const storableParts = (generation: Generation) => generation.contentParts().map((part) => ({ ...part, text: storableText(part.text) }));
