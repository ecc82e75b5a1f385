import type { StoredMessage } from '@/lib/db/schema';
import type { ChatMessage } from './message';

/** A stored message as the chat shows it. */
export function toChatMessage(stored: StoredMessage, modelLabel?: (id: string) => string | undefined): ChatMessage {
  const message: ChatMessage = { id: stored.id, role: stored.role, parts: stored.parts };
  if (stored.role !== 'assistant') return message;
  return {
    ...message,
    status: stored.status,
    error: stored.error ?? undefined,
    metadata: {
      model: stored.model ?? undefined,
      modelLabel: stored.model ? (modelLabel?.(stored.model) ?? stored.model) : undefined,
      usage: stored.usage ?? undefined,
      timing: stored.firstTokenMs === null && stored.durationMs === null ? undefined : { firstTokenMs: stored.firstTokenMs ?? undefined, durationMs: stored.durationMs ?? undefined },
    },
  };
}
