import { assertSameOrigin, knownIdentityId } from '@/lib/auth/session';
import { revokeShare } from '@/lib/chat/shares';
import { getDatabase } from '@/lib/db';
import { ChatError, toChatError } from '@/lib/errors';

/** DELETE /api/shares/[id]: revokes one of this identity's links; it answers 404 from then on. */
export async function DELETE(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    assertSameOrigin(request);
    const identityId = await knownIdentityId(request);
    const { id } = await params;
    if (!identityId || !(await revokeShare(await getDatabase(), identityId, id))) throw new ChatError('not_found', 'Share link not found.');
    return new Response(null, { status: 204 });
  } catch (error) {
    return toChatError(error).toResponse();
  }
}
