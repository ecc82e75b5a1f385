import { assertSameOrigin, knownIdentityId } from '@/lib/auth/session';
import { toSummary } from '@/lib/chat/conversation-summary';
import { getDatabase } from '@/lib/db';
import { listConversations } from '@/lib/db/queries';
import { toChatError } from '@/lib/errors';

/** GET /api/conversations?q=: the identity's conversations, newest first, optionally searched. */
export async function GET(request: Request): Promise<Response> {
  try {
    assertSameOrigin(request);
    const identityId = knownIdentityId(request);
    const search = new URL(request.url).searchParams.get('q')?.slice(0, 200) ?? undefined;
    const conversations = identityId ? await listConversations(await getDatabase(), identityId, { search }) : [];
    return Response.json({ conversations: conversations.map(toSummary) }, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return toChatError(error).toResponse();
  }
}
