import { sessionToken } from '@/lib/auth/account-data';
import { getAuth } from '@/lib/auth/auth';
import { assertSameOrigin } from '@/lib/auth/session';
import { getDatabase } from '@/lib/db';
import { ChatError, toChatError } from '@/lib/errors';

/** DELETE /api/account/sessions/[id]: signs one of the account's sessions out (another device, say). */
export async function DELETE(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    assertSameOrigin(request);
    const auth = await getAuth();
    const session = await auth.api.getSession({ headers: request.headers, query: { disableRefresh: true } });
    if (!session) throw new ChatError('sign_in_required', 'Sign in to manage your sessions.');
    const { id } = await params;
    const token = await sessionToken(await getDatabase(), session.user.id, id);
    // Someone else's session is indistinguishable from none.
    if (!token) throw new ChatError('not_found', 'Session not found.');
    await (await auth.$context).internalAdapter.deleteSession(token);
    return new Response(null, { status: 204 });
  } catch (error) {
    return toChatError(error).toResponse();
  }
}
