import 'server-only';
import type { UIMessageChunk } from 'ai';
import { DONE } from '@/lib/ai/sse-response';
import { UI_STREAM_HEADERS, uiStreamEvent } from '@/lib/ai/ui-stream';
import { modelLabel } from '@/lib/chat/chat-model';
import type { Database } from '@/lib/db/database';
import type { StoredMessage } from '@/lib/db/schema';
import { conversationMessages, updateMessage } from '@/lib/db/queries';

/** What a reader is told about a reply whose instance died while writing it. */
export const OWNER_LOST_MESSAGE = 'The server writing this answer stopped. The answer is saved up to here; send it again to continue.';

/**
 * A reply that is no longer generated anywhere, as a UI message stream from its saved copy: the
 * whole message (a `start` chunk first, so AI SDK clients and Runnel's hook rebuild it rather
 * than append) ending as it ended. One left `streaming` had its instance die under it: it is
 * marked interrupted here and now, rather than at the next start-up's sweep.
 * Undefined when the conversation has no such reply.
 */
export async function storedReplyResponse(db: Database, identityId: string, conversationId: string, messageId: string | undefined): Promise<Response | undefined> {
  const messages = (await conversationMessages(db, identityId, conversationId)) ?? [];
  const reply = messageId ? messages.find((m) => m.id === messageId) : messages.findLast((m) => m.role === 'assistant');
  if (!reply || reply.role !== 'assistant') return undefined;
  if (reply.status === 'streaming') {
    await updateMessage(db, conversationId, reply.id, { status: 'interrupted', error: OWNER_LOST_MESSAGE });
    reply.status = 'interrupted';
    reply.error = OWNER_LOST_MESSAGE;
  }
  // Without ids: a reader that gets this has the whole message, and nothing to resume after it.
  const body = [...replayChunks(reply)].map((chunk) => uiStreamEvent(chunk)).join('') + DONE;
  return new Response(body, { headers: UI_STREAM_HEADERS });
}

function* replayChunks(reply: StoredMessage): Generator<UIMessageChunk> {
  const model = reply.model ?? undefined;
  yield { type: 'start', messageId: reply.id, messageMetadata: { model, modelLabel: model && (modelLabel(model) ?? model) } };
  for (const [index, part] of reply.parts.entries()) {
    if (part.type === 'file') continue; // replies carry none
    const id = `${reply.id}-${index}`;
    yield { type: `${part.type}-start`, id };
    if (part.text) yield { type: `${part.type}-delta`, id, delta: part.text };
    yield { type: `${part.type}-end`, id };
  }
  switch (reply.status) {
    case 'done':
      yield { type: 'finish', finishReason: 'stop', messageMetadata: { usage: reply.usage ?? undefined } };
      break;
    case 'stopped':
      yield { type: 'abort', reason: 'stopped' };
      break;
    default:
      yield { type: 'error', errorText: reply.error ?? OWNER_LOST_MESSAGE };
  }
}
