import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { GET as ready } from '@/app/api/health/ready/route';
import { GET as live } from '@/app/api/health/live/route';
import { GET as listConversations } from '@/app/api/conversations/route';
import { expectedText, parseScenario } from '@/e2e/fake-upstream/scenario';
import { closeDatabase, getDatabase } from '@/lib/db';
import { queryRows } from '@/lib/db/database';
import { chatBody, chatRequest, readChunks } from '@/lib/testing/chat-client';
import { createTestDatabase } from '@/lib/testing/postgres';
import { routeTestEnvironment } from '@/lib/testing/route-environment';
import { startTcpProxy, type TcpProxy } from '@/lib/testing/tcp-proxy';
import { waitFor } from '@/lib/testing/wait-for';
import { POST } from './route';

/**
 * PostgreSQL going away for real: a TCP relay between Runnel and the database, which the test
 * stops (every connection dropped, new ones refused) and starts again.
 */
const database = await createTestDatabase();
const env = routeTestEnvironment('database-faults');
let relay: TcpProxy;
let relayedUrl = '';
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  if (!database) return;
  const direct = new URL(database.url);
  relay = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  direct.port = String(relay.port);
  relayedUrl = direct.toString();
  process.on('unhandledRejection', onUnhandled);
});
beforeEach((context) => {
  if (!database) context.skip('needs PostgreSQL on 127.0.0.1 (required in CI)');
  env.configure({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: env.fake.url, OPENAI_MODEL: 'fake-model', DATABASE_URL: relayedUrl });
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await relay?.stop();
  await database?.drop();
});

test('PostgreSQL unreachable at request time: 503 saying storage is unavailable (not 500), readiness says why, and all is well when it is back', async () => {
  const first = await POST(chatRequest(chatBody('[[fake tokens=2]]')));
  expect(first.status).toBe(200);
  const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
  await readChunks(first);

  await relay.stop();
  const refused = await POST(chatRequest(chatBody('[[fake tokens=2]]'), { headers: { cookie } }));
  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).toBe('5');
  expect((await refused.json()).error).toMatchObject({ code: 'storage_unavailable', message: expect.stringMatching(/Storage is unavailable/) });
  const list = await listConversations(new Request('http://127.0.0.1/api/conversations', { headers: { cookie } }));
  expect(list.status).toBe(503);
  const readiness = await ready();
  expect(readiness.status).toBe(503);
  expect(await readiness.json()).toMatchObject({ status: 'database_unavailable', reason: expect.any(String) });
  expect((await live()).status).toBe(503);

  await relay.start();
  const again = await POST(chatRequest(chatBody('[[fake tokens=2]]'), { headers: { cookie } }));
  expect(again.status).toBe(200);
  expect((await readChunks(again)).chunks.at(-1)?.type).toBe('finish');
  expect((await ready()).status).toBe(200);
});

test('PostgreSQL lost mid-stream: the reader gets the whole answer, and the reply and its usage are saved when the database is back; no unhandled rejection', async () => {
  const prompt = '[[fake tokens=150 delay=10]]';
  const body = chatBody(prompt);
  const response = await POST(chatRequest(body));
  expect(response.status).toBe(200);
  const reading = readChunks(response);
  await new Promise((resolve) => setTimeout(resolve, 200));
  await relay.stop();
  // The whole answer reaches its reader while the database is away...
  const { chunks, text } = await reading;
  expect(chunks.at(-1)?.type).toBe('finish');
  expect(text).toBe(expectedText(parseScenario(prompt)));
  // ...and is saved, with its usage, once the database is back.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await relay.start();
  const row = await waitFor(async () => {
    const rows = await queryRows<{ status: string; text: string; outcome: string | null }>(
      await getDatabase(),
      sql`select m.status, m.parts->0->>'text' as text, u.outcome from messages m left join usage_records u on u.message_id = m.id
          where m.conversation_id = ${body.id} and m.role = 'assistant'`,
    );
    return rows[0]?.status === 'done' && rows[0].outcome ? rows[0] : undefined;
  }, 15_000);
  expect(row).toMatchObject({ status: 'done', text, outcome: 'done' });
  expect(unhandled).toEqual([]);
});

test('every pooled connection busy: a request waits, then gets a 503 (never a hang), and is served once a connection is free', async () => {
  env.configure({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: env.fake.url, OPENAI_MODEL: 'fake-model', DATABASE_URL: relayedUrl, RUNNEL_DATABASE_POOL_SIZE: '1' });
  await closeDatabase();
  const db = await getDatabase();
  // The pool's one connection, busy for longer than a request may wait for it (5 s).
  // (Drizzle runs a query when it is awaited: `then` starts it now.)
  const busy = db.execute(sql`select pg_sleep(7)`).then(() => {});
  await new Promise((resolve) => setTimeout(resolve, 200));
  const started = performance.now();
  const waited = await POST(chatRequest(chatBody('[[fake tokens=2]]')));
  const waitedMs = performance.now() - started;
  expect(waited.status).toBe(503);
  expect((await waited.json()).error.code).toBe('storage_unavailable');
  expect(waitedMs).toBeGreaterThan(4000);
  expect(waitedMs).toBeLessThan(6500);
  await busy;
  const served = await POST(chatRequest(chatBody('[[fake tokens=2]]')));
  expect(served.status).toBe(200);
  await readChunks(served);
  await closeDatabase();
}, 20_000);
