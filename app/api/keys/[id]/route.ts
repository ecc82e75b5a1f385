import { revokeApiKey } from '@/lib/auth/api-keys';
import { assertSameOrigin, knownIdentityId } from '@/lib/auth/session';
import { getDatabase } from '@/lib/db';
import { ChatError, toChatError } from '@/lib/errors';

/** DELETE /api/keys/[id]: revokes one of this identity's keys; requests with it then get 401. */
export async function DELETE(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    assertSameOrigin(request);
    const { id } = await params;
    const identityId = await knownIdentityId(request);
    const revoked = identityId ? await revokeApiKey(await getDatabase(), id, identityId) : undefined;
    if (!revoked) throw new ChatError('not_found', 'No such active key.');
    return Response.json({ revoked }, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return toChatError(error).toResponse();
  }
}
