import 'server-only';
import { cookies } from 'next/headers';
import type { Database } from '@/lib/db/database';
import { identities } from '@/lib/db/schema';
import { getConfig } from '@/lib/config';
import { ChatError } from '@/lib/errors';
import { IDENTITY_COOKIE, identityCookie, newIdentityId, signIdentity, verifyIdentity } from './identity';
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

function cookieValue(header: string | null): string | undefined {
  for (const pair of header?.split(';') ?? []) {
    const [name, ...value] = pair.trim().split('=');
    if (name === IDENTITY_COOKIE) return value.join('=');
  }
  return undefined;
}

/**
 * The identity a request acts as. Browsers get theirs on the first page visit (proxy.ts); a
 * client without a valid cookie (a script, a cleared cookie) gets a new identity here, and
 * `setCookie` carries it back: every response must send it, or the client would lose what it
 * just stored.
 */
export async function requestIdentity(request: Request, db: Database): Promise<{ id: string; setCookie?: string }> {
  const identity = identityOf(request);
  await ensureIdentityRow(db, identity.id);
  return identity;
}

/**
 * The identity a request acts as, as requestIdentity gives it, but not yet stored: for a route
 * whose own first write stores its row too (a new chat), and which must store it before anything
 * else refers to it.
 */
export function identityOf(request: Request): { id: string; setCookie?: string } {
  const existing = knownIdentityId(request);
  if (existing) return { id: existing };
  const id = newIdentityId();
  return { id, setCookie: identityCookie(signIdentity(id, authSecret()), { secure: process.env.NODE_ENV === 'production' }) };
}

/** The identity a request's cookie proves, if any: for requests that only act on what exists. */
export function knownIdentityId(request: Request): string | undefined {
  return verifyIdentity(cookieValue(request.headers.get('cookie')), authSecret());
}

/** The identity a request about a conversation acts as; without one, there is no such conversation. */
export function conversationOwner(request: Request): string {
  const identityId = knownIdentityId(request);
  if (!identityId) throw new ChatError('not_found', 'Conversation not found.');
  return identityId;
}

/** Sends a newly issued identity cookie with whatever response goes out, error or not. */
export function withIdentityCookie(response: Response, setCookie: string | undefined): Response {
  if (setCookie) response.headers.append('set-cookie', setCookie);
  return response;
}

/** In a server component: the current identity, if the browser has one. */
export async function currentIdentityId(): Promise<string | undefined> {
  return verifyIdentity((await cookies()).get(IDENTITY_COOKIE)?.value, authSecret());
}

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
