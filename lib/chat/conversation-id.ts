import { ChatError } from '@/lib/errors';
import { isSafeId } from '@/lib/text/storable';

/**
 * The conversation id in a route's URL. One that no conversation can have (see `storableId`: a NUL
 * or a lone surrogate as `%00` or `%ED%A0%80`, which PostgreSQL cannot even compare) names
 * none: 404, not a failed query.
 */
export async function conversationIdParam(params: Promise<{ id: string }>): Promise<string> {
  const { id } = await params;
  if (!isSafeId(id)) throw new ChatError('not_found', 'Conversation not found.');
  return id;
}
