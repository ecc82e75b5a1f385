import { afterEach, expect, test } from 'vitest';
import { resetConfig } from '@/lib/config';
import { ChatError } from '@/lib/errors';
import { assertSameOrigin } from './session';

const saved = process.env.RUNNEL_PUBLIC_URL;
afterEach(() => {
  if (saved === undefined) delete process.env.RUNNEL_PUBLIC_URL;
  else process.env.RUNNEL_PUBLIC_URL = saved;
  resetConfig();
});

/** The status assertSameOrigin gives a POST with these headers: 200 if it passes. */
function verdict(headers: Record<string, string>): number | string {
  try {
    assertSameOrigin(new Request('http://127.0.0.1:3000/api/chat', { method: 'POST', headers }));
    return 200;
  } catch (error) {
    return error instanceof ChatError ? error.status : String(error);
  }
}

test('behind a proxy, the host the browser used (with its port) is this server; another site is not', () => {
  // What `next start` sees behind nginx forwarding `Host $http_host` (the repo's config).
  expect(verdict({ origin: 'http://localhost:8080', host: 'localhost:8080' })).toBe(200);
  expect(verdict({ origin: 'https://chat.example.com', host: 'app:3000', 'x-forwarded-host': 'chat.example.com' })).toBe(200);
  expect(verdict({ origin: 'https://evil.example', host: 'localhost:8080' })).toBe(403);
  expect(verdict({ origin: 'null', host: 'localhost:8080' })).toBe(403);
  // No Origin: not a browser page, so no victim's cookie rides on it.
  expect(verdict({ host: 'localhost:8080' })).toBe(200);
});

test('a stock `proxy_set_header Host $host` drops the port: refused with a message saying what to change, unless RUNNEL_PUBLIC_URL names the address', () => {
  const headers = { origin: 'http://localhost:8080', host: 'localhost', 'x-forwarded-host': 'localhost' };
  let message = '';
  try {
    assertSameOrigin(new Request('http://localhost/api/chat', { method: 'POST', headers }));
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toContain('the page is at localhost:8080, but this server was reached as localhost');
  expect(message).toContain('$http_host');
  expect(message).toContain('RUNNEL_PUBLIC_URL');

  process.env.RUNNEL_PUBLIC_URL = 'http://localhost:8080';
  resetConfig();
  expect(verdict(headers)).toBe(200);
  expect(verdict({ ...headers, origin: 'http://localhost:9999' })).toBe(403);
});
