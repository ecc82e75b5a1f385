import { closeAccount } from '@/lib/auth/auth';
import { accountSession, assertSameOrigin } from '@/lib/auth/session';
import { ChatError, toChatError } from '@/lib/errors';

/**
 * DELETE /api/account: closes the signed-in account. Its conversations, keys, sessions and
 * sign-in methods are deleted; its usage records stay, linked to no one. The answer clears the
 * session cookie.
 */
export async function DELETE(request: Request): Promise<Response> {
  try {
    assertSameOrigin(request);
    const session = await accountSession(request.headers);
    if (!session) throw new ChatError('sign_in_required', 'Sign in to close your account.');
    const response = new Response(null, { status: 204 });
    for (const cookie of await closeAccount(request.headers, session.user.id)) response.headers.append('set-cookie', cookie);
    return response;
  } catch (error) {
    return toChatError(error).toResponse();
  }
}
