import { deleteAccount } from '@/lib/auth/account-data';
import { getAuth } from '@/lib/auth/auth';
import { assertSameOrigin } from '@/lib/auth/session';
import { getDatabase } from '@/lib/db';
import { ChatError, toChatError } from '@/lib/errors';

/**
 * DELETE /api/account: closes the signed-in account. Its conversations, keys, sessions and
 * sign-in methods are deleted; its usage records stay, linked to no one. The answer clears the
 * session cookie.
 */
export async function DELETE(request: Request): Promise<Response> {
  try {
    assertSameOrigin(request);
    const auth = await getAuth();
    const session = await auth.api.getSession({ headers: request.headers, query: { disableRefresh: true } });
    if (!session) throw new ChatError('sign_in_required', 'Sign in to close your account.');
    const signedOut = await auth.api.signOut({ headers: request.headers, returnHeaders: true });
    await deleteAccount(await getDatabase(), session.user.id);
    const response = new Response(null, { status: 204 });
    for (const cookie of signedOut.headers.getSetCookie()) response.headers.append('set-cookie', cookie);
    return response;
  } catch (error) {
    return toChatError(error).toResponse();
  }
}
