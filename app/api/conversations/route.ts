import { assertSameOrigin, requestIdentity } from '@/lib/auth/session';
import { toSummary } from '@/lib/chat/conversation-summary';
import { getDatabase } from '@/lib/db';
import { listConversations } from '@/lib/db/queries';
import { toChatError } from '@/lib/errors';

/** GET /api/conversations?q=: the identity's conversations, newest first, optionally searched. */
export async function GET(request: Request): Promise<Response> {
  try {
    assertSameOrigin(request);
    const db = await getDatabase();
    const identity = await requestIdentity(request, db);
    const search = new URL(request.url).searchParams.get('q')?.slice(0, 200) ?? undefined;
    const conversations = await listConversations(db, identity.id, { search });
    const response = Response.json({ conversations: conversations.map(toSummary) }, { headers: { 'cache-control': 'no-store' } });
    if (identity.setCookie) response.headers.append('set-cookie', identity.setCookie);
    return response;
  } catch (error) {
    return toChatError(error).toResponse();
  }
}
