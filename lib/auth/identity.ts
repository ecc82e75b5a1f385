import 'server-only';
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Anonymous identities: a random id in a signed, HttpOnly cookie. Everything a person stores is
 * scoped to it; without the secret nobody can forge another's.
 */
export const IDENTITY_COOKIE = 'runnel_identity';
// Browsers cap cookie lifetimes at 400 days.
const MAX_AGE_SECONDS = 400 * 24 * 60 * 60;

export const MISSING_SECRET_MESSAGE =
  'AUTH_SECRET is not set. In production it is required: it signs the identity cookie that keeps each person\'s conversations private. Generate one with `openssl rand -base64 32` and set AUTH_SECRET.';

const signature = (id: string, secret: string) => createHmac('sha256', secret).update(id).digest('base64url');

export function signIdentity(id: string, secret: string): string {
  return `${id}.${signature(id, secret)}`;
}

/** The identity id in a cookie value, if its signature is right. */
export function verifyIdentity(value: string | undefined, secret: string): string | undefined {
  if (!value) return undefined;
  const dot = value.lastIndexOf('.');
  const id = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(signature(id, secret));
  if (dot <= 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return id;
}

export const newIdentityId = (): string => randomUUID();

/** The identity cookie's value in a Cookie header, if it has one. */
export function identityCookieValue(header: string | null): string | undefined {
  for (const pair of header?.split(';') ?? []) {
    const [name, ...value] = pair.trim().split('=');
    if (name === IDENTITY_COOKIE) return value.join('=');
  }
  return undefined;
}

/** The prefix of better-auth's cookie names (lib/auth/auth.ts): its session cookie is `<prefix>.session_token`. */
export const AUTH_COOKIE_PREFIX = 'runnel';
const SESSION_COOKIE = new RegExp(`(?:^|;\\s*)(?:__Secure-)?${AUTH_COOKIE_PREFIX}\\.session_token=`);

/** Whether a Cookie header carries an account's session. */
export const hasSessionCookie = (header: string | null): boolean => SESSION_COOKIE.test(header ?? '');

export function identityCookie(value: string, options: { secure: boolean }): string {
  return `${IDENTITY_COOKIE}=${value}; Path=/; Max-Age=${MAX_AGE_SECONDS}; HttpOnly; SameSite=Lax${options.secure ? '; Secure' : ''}`;
}

/**
 * AUTH_SECRET; in development, when it is unset, a secret generated once and kept under the
 * data folder, so identities survive restarts. In production a missing secret is an error.
 */
export function resolveAuthSecret(options: { secret: string | undefined; production: boolean; dataDir: string }): string {
  if (options.secret) return options.secret;
  if (options.production) throw new Error(MISSING_SECRET_MESSAGE);
  const file = path.join(options.dataDir, 'auth-secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(options.dataDir, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  }
}
