import 'server-only';
import type { AuthConfig } from '@/lib/config';
import type { SignInProvider } from './client';

/** The OAuth/OIDC providers this deployment offers, in the order the sign-in page shows them. */
export function signInProviders(auth: AuthConfig): SignInProvider[] {
  return [
    ...(auth.oidc ? [{ id: 'oidc', label: auth.oidc.name }] : []),
    ...(auth.github ? [{ id: 'github', label: 'GitHub' }] : []),
    ...(auth.google ? [{ id: 'google', label: 'Google' }] : []),
  ];
}

/**
 * What a sign-in that came back with `?error=` shows. Only known codes get words of their own:
 * the text in the address is anyone's to write, so it is never shown as it is.
 */
export function signInErrorText(code: string | undefined): string | undefined {
  if (!code) return undefined;
  const known: Record<string, string> = {
    EMAIL_NOT_ALLOWED: 'That email address may not sign in here. Ask whoever runs this Runnel to add it.',
    email_not_allowed: 'That email address may not sign in here. Ask whoever runs this Runnel to add it.',
    access_denied: 'Sign-in was cancelled at the provider.',
    state_mismatch: 'That sign-in link had expired or was started in another browser. Try again.',
    please_restart_the_process: 'That sign-in had expired. Try again.',
    account_not_linked: 'That account is already linked to another person here.',
    TOO_MANY_FAILED_SIGN_INS: 'Too many failed sign-ins from this address: wait a few minutes and try again.',
  };
  return known[code] ?? `Sign-in did not complete (${code.replace(/[^\w-]/g, '').slice(0, 60)}). Try again.`;
}
