import { endSession } from '@/lib/auth/auth';
import { accountSession, assertSameOrigin } from '@/lib/auth/session';
import { ChatError, toChatError } from '@/lib/errors';

/** DELETE /api/account/sessions/[id]: signs one of the account's sessions out (another device, say). */
export async function DELETE(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    assertSameOrigin(request);
    const session = await accountSession(request.headers);
    if (!session) throw new ChatError('sign_in_required', 'Sign in to manage your sessions.');
    // Someone else's session is indistinguishable from none.
    if (!(await endSession(session.user.id, (await params).id))) throw new ChatError('not_found', 'Session not found.');
    return new Response(null, { status: 204 });
  } catch (error) {
    return toChatError(error).toResponse();
  }
}
