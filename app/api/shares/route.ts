import { assertSameOrigin, knownIdentityId } from '@/lib/auth/session';
import { listShares } from '@/lib/chat/shares';
import { getDatabase } from '@/lib/db';
import { toChatError } from '@/lib/errors';

/** GET /api/shares: this identity's share links, newest first. */
export async function GET(request: Request): Promise<Response> {
  try {
    assertSameOrigin(request);
    const identityId = await knownIdentityId(request);
    const shares = identityId ? await listShares(await getDatabase(), identityId) : [];
    return Response.json({ shares: shares.map((share) => ({ ...share, path: `/s/${share.id}` })) }, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return toChatError(error).toResponse();
  }
}
