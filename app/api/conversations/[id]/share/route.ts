import { assertSameOrigin, conversationOwner } from '@/lib/auth/session';
import { conversationIdParam } from '@/lib/chat/conversation-id';
import { shareConversation } from '@/lib/chat/shares';
import { getDatabase } from '@/lib/db';
import { ChatError, toChatError } from '@/lib/errors';

/** POST /api/conversations/[id]/share: a public, read-only link to the conversation as it is now. */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    assertSameOrigin(request);
    const identityId = await conversationOwner(request);
    const share = await shareConversation(await getDatabase(), identityId, await conversationIdParam(params));
    if (!share) throw new ChatError('not_found', 'Conversation not found.');
    return Response.json({ ...share, path: `/s/${share.id}` }, { status: 201, headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return toChatError(error).toResponse();
  }
}
