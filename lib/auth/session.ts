import 'server-only';
import { cookies, headers } from 'next/headers';
import { cache } from 'react';
import type { Database } from '@/lib/db/database';
import { identities } from '@/lib/db/schema';
import { getConfig } from '@/lib/config';
import { ChatError } from '@/lib/errors';
import { isPlaceholderEmail } from './account-data';
import { getAuth } from './auth';
import { hasSessionCookie, IDENTITY_COOKIE, identityCookie, identityCookieValue, newIdentityId, signIdentity, verifyIdentity } from './identity';
import { authSecret } from './secret';

// Identities known to have a row, so most requests skip the upsert.
const known = new Set<string>();
const KNOWN_LIMIT = 10_000;

/** Stores the identity's row unless it is known to exist. */
export async function ensureIdentityRow(db: Database, id: string): Promise<void> {
  if (known.has(id)) return;
  await db.insert(identities).values({ id }).onConflictDoNothing();
  if (known.size >= KNOWN_LIMIT) known.clear();
  known.add(id);
}

/**
 * Whom a request acts as: a signed-in account or a guest browser, one concept to everything keyed
 * on it (conversations, keys, usage, limits). An account's id is its user's.
 */
export interface ActingIdentity {
  id: string;
  /** A new guest's cookie, which every response to this request must carry. */
  setCookie?: string;
}

/**
 * The session a request's cookie proves, if any (better-auth checks it in the database, so a
 * session signed out anywhere is over at once). Requests without the cookie cost nothing.
 */
export async function accountSession(headers: Headers) {
  if (!hasSessionCookie(headers.get('cookie'))) return null;
  return (await getAuth()).api.getSession({ headers, query: { disableRefresh: true } });
}

const signedInUserId = async (headers: Headers): Promise<string | undefined> => (await accountSession(headers))?.user.id;

function refuseGuests(): never {
  throw new ChatError('sign_in_required', 'Sign in to use Runnel: this deployment is for its members only.');
}

/**
 * The identity a request acts as: the account it is signed into; else, where guests are
 * welcome, its browser's guest identity. A guest without a valid cookie (a script, a cleared
 * cookie) gets a new identity here, and `setCookie` carries it back: every response must send it,
 * or the client would lose what it just stored. Not yet stored: for a route whose own first write
 * stores its row too (a new chat).
 */
export async function identityOf(request: Request): Promise<ActingIdentity> {
  const known = await knownIdentityId(request);
  if (known) return { id: known };
  const id = newIdentityId();
  return { id, setCookie: identityCookie(signIdentity(id, authSecret()), { secure: process.env.NODE_ENV === 'production' }) };
}

/** As identityOf, and stored. */
export async function requestIdentity(request: Request, db: Database): Promise<ActingIdentity> {
  const identity = await identityOf(request);
  await ensureIdentityRow(db, identity.id);
  return identity;
}

/** The identity a request proves (a session or a guest cookie), if any: for requests that only act on what exists. */
export async function knownIdentityId(request: Request): Promise<string | undefined> {
  const account = await signedInUserId(request.headers);
  if (account) return account;
  if (getConfig().auth.mode === 'required') refuseGuests();
  return verifyIdentity(identityCookieValue(request.headers.get('cookie')), authSecret());
}

/** The identity a request about a conversation acts as; without one, there is no such conversation. */
export async function conversationOwner(request: Request): Promise<string> {
  const identityId = await knownIdentityId(request);
  if (!identityId) throw new ChatError('not_found', 'Conversation not found.');
  return identityId;
}

/** Sends a newly issued identity cookie with whatever response goes out, error or not. */
export function withIdentityCookie(response: Response, setCookie: string | undefined): Response {
  if (setCookie) response.headers.append('set-cookie', setCookie);
  return response;
}

/** Whom a page is for: the signed-in account, and the identity the page shows (the account's, or a guest's). */
export interface Viewer {
  identityId: string | undefined;
  account: { id: string; name: string; email: string | null } | undefined;
}

/** In a server component: whom the page is for. Looked up once per request, however many components ask. */
export const currentViewer = cache(async (): Promise<Viewer> => {
  const session = await accountSession(await headers());
  if (session) {
    const { id, name, email } = session.user;
    return { identityId: id, account: { id, name, email: isPlaceholderEmail(email) ? null : email } };
  }
  // Members only: a guest's cookie shows nothing.
  if (getConfig().auth.mode === 'required') return { identityId: undefined, account: undefined };
  return { identityId: verifyIdentity((await cookies()).get(IDENTITY_COOKIE)?.value, authSecret()), account: undefined };
});

export const currentIdentityId = async (): Promise<string | undefined> => (await currentViewer()).identityId;

/**
 * State-changing requests ride on a cookie, so one sent from another site's page (CSRF) must
 * fail: a browser always names the page's origin, and it must be this server's. Behind a proxy,
 * "this server" is the host the browser used: the proxy's X-Forwarded-Host or Host, with the
 * port, or the configured public URL (RUNNEL_PUBLIC_URL). A page's script cannot set either
 * header on a request to another site.
 */
export function assertSameOrigin(request: Request): void {
  const origin = request.headers.get('origin');
  if (!origin) return; // not a browser page: it carries no victim's cookie by itself
  const originHost = hostOf(origin);
  const hosts = serverHosts(request);
  if (originHost && hosts.includes(originHost)) return;
  throw new ChatError(
    'forbidden_origin',
    `Requests from other sites are not allowed: the page is at ${originHost ?? 'an unknown origin'}, but this server was reached as ${hosts[0] ?? 'an unknown host'}. ` +
      'Behind a proxy, forward the Host header the browser sent, with its port (nginx: proxy_set_header Host $http_host), or set RUNNEL_PUBLIC_URL.',
  );
}

/** The hosts (with port) this server answers as, as far as the request and the configuration tell. */
function serverHosts(request: Request): string[] {
  const forwarded = request.headers.get('x-forwarded-host')?.split(',')[0]?.trim();
  const publicUrl = getConfig().publicUrl;
  return [forwarded, request.headers.get('host'), publicUrl && hostOf(publicUrl)].filter((host): host is string => Boolean(host));
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined; // "null" or garbage: not this server
  }
}
