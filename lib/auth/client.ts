import { passkeyClient } from '@better-auth/passkey/client';
import { createAuthClient } from 'better-auth/client';

/** better-auth's browser client: the passkey ceremonies and the session endpoints, at /api/auth on this origin. */
export const authClient = createAuthClient({ plugins: [passkeyClient()] });

/** A sign-in method the server offers (lib/auth/providers.ts). */
export interface SignInProvider {
  id: string;
  label: string;
}

/**
 * Starts an OAuth/OIDC sign-in (or, signed in, links the provider): the server answers with the
 * provider's URL, and the browser goes there. Returns an error message, if it could not start.
 */
export async function startProviderSignIn(provider: SignInProvider, options: { link: boolean; callbackURL: string }): Promise<string | undefined> {
  // Any OIDC issuer is a provider like the built-in ones to better-auth (its generic OAuth plugin).
  const response = await fetch(options.link ? '/api/auth/link-social' : '/api/auth/sign-in/social', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: provider.id, callbackURL: options.callbackURL, errorCallbackURL: options.link ? '/account' : '/sign-in' }),
  });
  const data = (await response.json().catch(() => ({}))) as { url?: string; message?: string };
  if (!response.ok || !data.url) return data.message ?? `Could not reach ${provider.label} (${response.status}).`;
  window.location.assign(data.url);
  return undefined;
}
