import 'server-only';
import { createHmac, randomUUID } from 'node:crypto';
import { passkey } from '@better-auth/passkey';
import { betterAuth, type BetterAuthOptions, type BetterAuthPlugin } from 'better-auth';
import { eq } from 'drizzle-orm';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { APIError, createAuthMiddleware, isAPIError } from 'better-auth/api';
import { genericOAuth } from 'better-auth/plugins/generic-oauth';
import { getFileStore } from '@/lib/attachments/store';
import { getConfig, type AuthConfig, type RunnelConfig } from '@/lib/config';
import { getDatabase } from '@/lib/db';
import type { Database } from '@/lib/db/database';
import { authAccounts, authSessions, authVerifications, passkeys, users } from '@/lib/db/schema';
import { clientIp } from '@/lib/limits/client-ip';
import { assertAttemptsAllowed, countFailedAttempt, SIGN_IN_ATTEMPTS } from '@/lib/limits/failed-attempts';
import { ChatError } from '@/lib/errors';
import { isStorable } from '@/lib/text/storable';
import { deleteAccount, ensureAccountIdentity, isPlaceholderEmail, mergeGuestIntoAccount, PLACEHOLDER_EMAIL_DOMAIN, sessionToken } from './account-data';
import { emailAllowed } from './allowlist';
import { AUTH_COOKIE_PREFIX, IDENTITY_COOKIE, identityCookieValue, verifyIdentity } from './identity';
import { authSecret } from './secret';

/**
 * Accounts, by better-auth: sessions, passkeys (WebAuthn) and OAuth/OpenID Connect sign-in, stored
 * through its drizzle adapter in Runnel's own database. Runnel adds what is its own: an account is
 * an identity (the user's id is the identity's id), a guest's history moves into the account it
 * signs into, the allowlist, and a limit on failed sign-ins per address.
 */
export function createAuth(db: Database) {
  const config = getConfig();
  const auth = config.auth;
  return betterAuth({
    appName: 'Runnel',
    // Unset: each request's own origin (development, tests); OAuth providers need it set.
    baseURL: config.publicUrl,
    basePath: '/api/auth',
    secret: accountsSecret(),
    database: drizzleAdapter(db, {
      provider: 'pg',
      schema: { user: users, session: authSessions, account: authAccounts, verification: authVerifications, passkey: passkeys },
    }),
    telemetry: { enabled: false },
    // Failed sign-ins are limited per address below, shared by every instance through Redis.
    rateLimit: { enabled: false },
    session: { expiresIn: 30 * 24 * 60 * 60, updateAge: 24 * 60 * 60 },
    account: { accountLinking: { enabled: true, trustedProviders: ['github', 'google'] } },
    advanced: {
      cookiePrefix: AUTH_COOKIE_PREFIX,
      useSecureCookies: process.env.NODE_ENV === 'production',
      database: { generateId: () => randomUUID() },
      ipAddress: { ipAddressHeaders: ['x-forwarded-for'] },
      // better-auth skips its Origin (CSRF) checks under a test runner unless told not to: the
      // tests must check what production runs.
      disableOriginCheck: false,
      disableCSRFCheck: false,
    },
    onAPIError: { errorURL: '/sign-in' },
    socialProviders: {
      ...(auth.github && { github: { ...auth.github, scope: ['read:user', 'user:email'] } }),
      ...(auth.google && { google: { ...auth.google, prompt: 'select_account' as const } }),
    },
    plugins: plugins(auth),
    databaseHooks: allowlistChecks(db, auth),
    hooks: signInHooks(db, config),
  });
}

export type RunnelAuth = ReturnType<typeof createAuth>;

// On globalThis: routes are separate bundles, one process. Made again when the configuration or
// the database changes (tests change both).
const holder = globalThis as typeof globalThis & { __runnelAuth?: { db: Database; config: object; auth: RunnelAuth } };

/** The process's better-auth, over the process's database. */
export async function getAuth(): Promise<RunnelAuth> {
  const db = await getDatabase();
  const config = getConfig();
  const held = holder.__runnelAuth;
  if (held?.db === db && held.config === config) return held.auth;
  const auth = createAuth(db);
  holder.__runnelAuth = { db, config, auth };
  return auth;
}

/** The allowlist, checked where an account is made and wherever a session is (every way in makes one). */
function allowlistChecks(db: Database, auth: AuthConfig): BetterAuthOptions['databaseHooks'] {
  return {
    user: {
      create: {
        before: async (user) => {
          if (!isPlaceholderEmail(user.email)) assertEmailAllowed(auth, user.email);
          return { data: user };
        },
        after: async (user) => ensureAccountIdentity(db, user.id),
      },
    },
    session: {
      create: {
        before: async (session) => {
          const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, session.userId));
          if (user) assertEmailAllowed(auth, user.email);
          return { data: session };
        },
      },
    },
  };
}

/** Around every auth endpoint: the failed sign-in limit before and after, and a new session's guest merge after. */
function signInHooks(db: Database, config: RunnelConfig): BetterAuthOptions['hooks'] {
  return {
    before: createAuthMiddleware(async (ctx) => {
      if (!SIGN_IN_PATHS.has(ctx.path)) return;
      try {
        await assertAttemptsAllowed(config, SIGN_IN_ATTEMPTS, ctx.request && clientIp(ctx.request, config.trustedProxies));
      } catch (error) {
        if (error instanceof ChatError) throw new APIError('TOO_MANY_REQUESTS', { code: 'TOO_MANY_FAILED_SIGN_INS', message: error.message });
        throw error;
      }
    }),
    after: createAuthMiddleware(async (ctx) => {
      if (SIGN_IN_PATHS.has(ctx.path) && failed(ctx.context.returned)) {
        await countFailedAttempt(config, SIGN_IN_ATTEMPTS, ctx.request && clientIp(ctx.request, config.trustedProxies));
      }
      const signedIn = ctx.context.newSession;
      if (!signedIn) return;
      await ensureAccountIdentity(db, signedIn.user.id);
      const guestId = verifyIdentity(identityCookieValue(ctx.headers?.get('cookie') ?? null), authSecret());
      if (!guestId) return;
      try {
        await mergeGuestIntoAccount(db, guestId, signedIn.user.id);
      } catch (error) {
        // Signed in all the same; the guest keeps its cookie and what it made, and the next
        // sign-in from this browser moves it.
        console.warn('[runnel] moving a guest into its account failed', error);
        return;
      }
      // The guest's things are the account's now; after signing out, the browser is a new guest (proxy.ts).
      ctx.setCookie(IDENTITY_COOKIE, '', { path: '/', maxAge: 0, httpOnly: true, sameSite: 'lax', secure: process.env.NODE_ENV === 'production' });
    }),
  };
}

/** Where a sign-in succeeds or fails: what the per-address limit counts. */
const SIGN_IN_PATHS = new Set(['/passkey/verify-authentication', '/callback/:id']);

function plugins(auth: AuthConfig): BetterAuthPlugin[] {
  const publicUrl = getConfig().publicUrl;
  const list: BetterAuthPlugin[] = [
    passkey({
      rpName: 'Runnel',
      // WebAuthn wants a domain, never an IP address: browse to localhost in development.
      rpID: publicUrl ? new URL(publicUrl).hostname : 'localhost',
      registration: {
        // A signed-in person adds a passkey to their account; anyone else may make an account with
        // one, where anyone may use Runnel (RUNNEL_AUTH=open, no allowlist).
        requireSession: false,
        resolveUser: ({ context }) => {
          if (!passkeySignUpAllowed(auth)) {
            throw new APIError('FORBIDDEN', { code: 'SIGN_UP_CLOSED', message: 'New accounts here are made by signing in with your organisation; add a passkey from your account page afterwards.' });
          }
          const name = (context ?? '').trim().slice(0, 100) || 'Runnel user';
          return { id: randomUUID(), name, displayName: name };
        },
        afterVerification: async ({ ctx, user }) => {
          if (await ctx.context.internalAdapter.findUserById(user.id)) return;
          const created = await ctx.context.internalAdapter.createUser({ name: user.name, email: `${user.id}@${PLACEHOLDER_EMAIL_DOMAIN}`, emailVerified: false }, ctx);
          return { userId: created.id, name: 'Passkey' };
        },
      },
    }),
  ];
  if (auth.oidc) {
    list.push(
      genericOAuth({
        config: [
          {
            providerId: 'oidc',
            discoveryUrl: `${auth.oidc.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`,
            clientId: auth.oidc.clientId,
            clientSecret: auth.oidc.clientSecret,
            scopes: ['openid', 'email', 'profile'],
            pkce: true,
          },
        ],
      }),
    );
  }
  return list;
}

export const passkeySignUpAllowed = (auth: AuthConfig): boolean => auth.mode === 'open' && auth.allowedEmails.length === 0;

function assertEmailAllowed(auth: AuthConfig, email: string): void {
  if (emailAllowed(auth.allowedEmails, email)) return;
  throw new APIError('FORBIDDEN', { code: 'EMAIL_NOT_ALLOWED', message: 'This email address may not sign in here.' });
}

/** A sign-in that did not succeed: an error, or a redirect back with `error=` (OAuth callbacks). */
function failed(returned: unknown): boolean {
  if (!isAPIError(returned)) return false;
  if (returned.statusCode >= 400) return true;
  const location = new Headers(returned.headers ?? {}).get('location') ?? '';
  return /[?&]error=/.test(location);
}

/** Sessions are signed with a key of their own, derived from AUTH_SECRET. */
const accountsSecret = () => createHmac('sha256', authSecret()).update('runnel accounts').digest('base64url');

/** Signs one of a user's sessions out (another device, say); false when the user has no such session. */
export async function endSession(userId: string, sessionId: string): Promise<boolean> {
  // Not an id PostgreSQL could even compare (a NUL, half a surrogate pair): no such session.
  if (!isStorable(sessionId)) return false;
  const token = await sessionToken(await getDatabase(), userId, sessionId);
  if (!token) return false;
  await (await (await getAuth()).$context).internalAdapter.deleteSession(token);
  return true;
}

/** Closes the account a request is signed into (deleteAccount); returns the Set-Cookie headers that end its session in the browser. */
export async function closeAccount(headers: Headers, userId: string): Promise<string[]> {
  const signedOut = await (await getAuth()).api.signOut({ headers, returnHeaders: true });
  await deleteAccount(await getDatabase(), getFileStore(), userId);
  return signedOut.headers.getSetCookie();
}
