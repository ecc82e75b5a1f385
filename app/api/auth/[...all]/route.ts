import { getAuth } from '@/lib/auth/auth';
import { toChatError } from '@/lib/errors';

/**
 * better-auth's endpoints (sign-in with a passkey or a provider, sessions, linked accounts), as
 * lib/auth/auth.ts configures them. It checks each state-changing request's Origin itself (CSRF).
 */
async function handle(request: Request): Promise<Response> {
  try {
    return await (await getAuth()).handler(request);
  } catch (error) {
    return toChatError(error).toResponse();
  }
}

export { handle as GET, handle as POST };
