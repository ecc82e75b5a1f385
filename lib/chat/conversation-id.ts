import { ChatError } from '@/lib/errors';
import { isStorable } from '@/lib/text/storable';

/**
 * The conversation id in a route's URL. One that PostgreSQL could not even compare (a NUL, a
 * lone surrogate, as `%00` or `%ED%A0%80` in the path) names no conversation: 404, not a failed query.
 */
export async function conversationIdParam(params: Promise<{ id: string }>): Promise<string> {
  const { id } = await params;
  if (!isStorable(id)) throw new ChatError('not_found', 'Conversation not found.');
  return id;
}
