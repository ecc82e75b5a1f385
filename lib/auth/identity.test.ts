import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { identityCookie, newIdentityId, resolveAuthSecret, signIdentity, verifyIdentity } from './identity';

const dir = mkdtempSync(path.join(tmpdir(), 'runnel-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a signed identity verifies; a forged or altered one does not', () => {
  const id = newIdentityId();
  const cookie = signIdentity(id, 'secret-one-0123456789');
  expect(verifyIdentity(cookie, 'secret-one-0123456789')).toBe(id);
  expect(verifyIdentity(cookie, 'another-secret-0123456789')).toBeUndefined();
  expect(verifyIdentity(`${newIdentityId()}.${cookie.split('.')[1]}`, 'secret-one-0123456789')).toBeUndefined();
  expect(verifyIdentity(id, 'secret-one-0123456789')).toBeUndefined();
  expect(verifyIdentity('', 'secret-one-0123456789')).toBeUndefined();
  expect(verifyIdentity(undefined, 'secret-one-0123456789')).toBeUndefined();
});

test('the cookie is HttpOnly and SameSite=Lax, and Secure when asked', () => {
  expect(identityCookie('v', { secure: false })).toBe('runnel_identity=v; Path=/; Max-Age=34560000; HttpOnly; SameSite=Lax');
  expect(identityCookie('v', { secure: true })).toMatch(/; Secure$/);
});

test('in development a secret is generated once and kept; in production one is required', () => {
  const dataDir = path.join(dir, 'data');
  const first = resolveAuthSecret({ secret: undefined, production: false, dataDir });
  expect(first.length).toBeGreaterThanOrEqual(32);
  expect(resolveAuthSecret({ secret: undefined, production: false, dataDir })).toBe(first);
  expect(readFileSync(path.join(dataDir, 'auth-secret'), 'utf8')).toBe(first);
  expect(statSync(path.join(dataDir, 'auth-secret')).mode & 0o777).toBe(0o600);
  expect(resolveAuthSecret({ secret: 'configured-secret-value', production: true, dataDir })).toBe('configured-secret-value');
  expect(() => resolveAuthSecret({ secret: undefined, production: true, dataDir })).toThrow(/AUTH_SECRET is not set/);
});
