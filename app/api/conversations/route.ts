import { assertSameOrigin, knownIdentityId } from '@/lib/auth/session';
import { toSummary } from '@/lib/chat/conversation-summary';
import { getDatabase } from '@/lib/db';
import { listConversations } from '@/lib/db/queries';
import { toChatError } from '@/lib/errors';
import { cutText, storableText } from '@/lib/text/storable';

/** GET /api/conversations?q=: the identity's conversations, newest first, optionally searched. */
export async function GET(request: Request): Promise<Response> {
  try {
    assertSameOrigin(request);
    const identityId = await knownIdentityId(request);
    const q = new URL(request.url).searchParams.get('q');
    const search = q ? storableText(cutText(q, 200)) : undefined;
    const conversations = identityId ? await listConversations(await getDatabase(), identityId, { search }) : [];
    return Response.json({ conversations: conversations.map(toSummary) }, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return toChatError(error).toResponse();
  }
}
