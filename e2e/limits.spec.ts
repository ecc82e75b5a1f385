import { spawn, type ChildProcess } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/postgres';
import { connectTestRedis, type TestRedis } from '@/lib/testing/redis';
import { errorNotice, lastAssistant, sendMessage } from './helpers';
import { E2E } from './ports';

/** Two app instances on one Postgres and one Redis: one limit across both, as in production. */
const LIMIT = 4;
let database: TestDatabase | undefined;
let redis: TestRedis | undefined;
const servers: ChildProcess[] = [];
const urls = E2E.sharedPorts.map((port) => `http://127.0.0.1:${port}`);

test.beforeAll(async () => {
  test.setTimeout(90_000);
  [database, redis] = await Promise.all([createTestDatabase(), connectTestRedis()]);
  if (!database || !redis) return;
  for (const [i, port] of E2E.sharedPorts.entries()) {
    servers.push(
      spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '--port', String(port), '--hostname', '127.0.0.1'], {
        env: {
          ...process.env,
          ...E2E.serverEnv(`shared-${i}`),
          ...E2E.appModels,
          DATABASE_URL: database.url,
          REDIS_URL: redis.url,
          RUNNEL_REDIS_PREFIX: redis.prefix,
          RUNNEL_LIMIT_REQUESTS_PER_MINUTE: String(LIMIT),
        },
        stdio: 'ignore',
      }),
    );
  }
  for (const url of urls) {
    await expect.poll(() => fetch(url).then((r) => r.status, () => 0), { timeout: 60_000 }).toBe(200);
  }
});

test.afterAll(async () => {
  for (const server of servers) server.kill('SIGKILL');
  await redis?.cleanUp();
  await database?.drop();
});

test('two instances sharing Redis enforce one limit; the page says in words how long to wait', async ({ page }, testInfo) => {
  // Only on a laptop without the services: in CI (CI=true) their absence already failed beforeAll.
  testInfo.skip(!database || !redis, 'needs PostgreSQL and Redis on 127.0.0.1 (required in CI)');
  // Cookies belong to the host, not the port: this browser is one identity on both instances.
  await page.goto(urls[0]!);
  await sendMessage(page, 'one [[fake tokens=2]]');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done');
  const post = (url: string) =>
    page.request.post(`${url}/api/chat`, {
      headers: { origin: url },
      data: { id: crypto.randomUUID(), trigger: 'submit-message', messages: [{ id: 'u', role: 'user', parts: [{ type: 'text', text: '[[fake tokens=1]]' }] }] },
    });
  for (const url of [urls[1]!, urls[0]!, urls[1]!]) expect((await post(url)).status()).toBe(200);

  // The fifth request this minute, on the other instance: refused.
  const refused = await post(urls[1]!);
  expect(refused.status()).toBe(429);
  expect(Number(refused.headers()['retry-after'])).toBeGreaterThan(0);
  expect((await refused.json()).error).toMatchObject({ code: 'rate_limited', limit: 'requests_per_minute', scope: 'identity' });

  await page.goto(urls[1]!);
  await sendMessage(page, 'six [[fake tokens=2]]');
  await expect(errorNotice(page)).toContainText(/Too many requests: at most 4 a minute per user\. Try again in (\d+ seconds?|1 minute)\./);
});
