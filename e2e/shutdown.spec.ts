import path from 'node:path';
import { expect, test } from '@playwright/test';
import { sql } from 'drizzle-orm';
import { SERVER_RESTART_MESSAGE } from '@/lib/errors';
import { openDatabase, pgliteDirIn, queryRows } from '@/lib/db/database';
import { readChunks } from '@/lib/testing/chat-client';
import { nextStart, type ServerProcess } from './deploy/server-process';
import { uniqueId } from './helpers';
import { E2E } from './ports';

/**
 * SIGTERM, as every deploy and `docker stop` sends it, to a real `next start`: answers in flight
 * finish, or are cut at the grace deadline with the reader told and the reply saved; new requests
 * are told to go elsewhere; the process exits 0. The stored rows are read from the embedded
 * database after the process has closed it.
 */
test.describe.configure({ mode: 'serial' });

const url = `http://127.0.0.1:${E2E.shutdownPort}`;
const dataDir = path.join(E2E.runDir, 'shutdown');
const start = (graceMs: number) =>
  nextStart(E2E.shutdownPort, {
    ...E2E.serverEnv('shutdown'),
    OPENAI_API_KEY: 'sk-e2e',
    OPENAI_BASE_URL: E2E.fakeUrl,
    OPENAI_MODEL: 'fake-model',
    RUNNEL_SHUTDOWN_GRACE_MS: String(graceMs),
  });

const ask = (conversationId: string, text: string) =>
  fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: conversationId, trigger: 'submit-message', messages: [{ id: 'q', role: 'user', parts: [{ type: 'text', text }] }] }),
  });

interface StoredReply {
  status: string;
  error: string | null;
  text: string;
  outcome: string | null;
  output_tokens: number | null;
}

/** The reply and its usage record, read from the embedded database the stopped server left. */
async function storedReply(conversationId: string): Promise<StoredReply | undefined> {
  const handle = await openDatabase(undefined, pgliteDirIn(dataDir));
  try {
    const rows = await queryRows<StoredReply>(
      handle.db,
      sql`select m.status, m.error, coalesce(m.parts->0->>'text', '') as text, u.outcome, u.output_tokens
          from messages m left join usage_records u on u.message_id = m.id
          where m.conversation_id = ${conversationId} and m.role = 'assistant'`,
    );
    return rows[0];
  } finally {
    await handle.close();
  }
}

let server: ServerProcess | undefined;
test.afterEach(async () => server?.stop());

test('SIGTERM during a short answer: it completes, the process exits 0, the reply is stored done', async () => {
  test.setTimeout(60_000);
  server = await start(10_000);
  const id = uniqueId('drain-short');
  const response = await ask(id, '[[fake tokens=40 delay=20]]');
  expect(response.status).toBe(200);
  const reading = readChunks(response);
  server.kill('SIGTERM');

  const { chunks, text } = await reading;
  expect(chunks.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
  expect(text.trim().split(' ')).toHaveLength(40);
  expect(await server.exited).toBe(0);
  expect(server.output()).toContain('stopped cleanly');
  expect(await storedReply(id)).toMatchObject({ status: 'done', outcome: 'done', output_tokens: 40 });
});

test('SIGTERM during a long answer with a short grace: new requests get 503 + Retry-After, the reader is told, the reply and its usage are stored, exit 0 within grace + 2 s', async () => {
  test.setTimeout(60_000);
  const graceMs = 1500;
  server = await start(graceMs);
  const id = uniqueId('drain-long');
  const response = await ask(id, '[[fake tokens=100000 delay=10]]');
  const reading = readChunks(response);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const signalledAt = performance.now();
  server.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 200));

  const refused = await ask(uniqueId('too-late'), 'hello');
  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).toBe('2');
  expect((await refused.json()).error.code).toBe('server_draining');
  const readiness = await fetch(`${url}/api/health/ready`);
  expect(readiness.status).toBe(503);
  expect((await fetch(`${url}/api/health/live`)).status).toBe(200);

  const { chunks, text } = await reading;
  expect(chunks.at(-1)).toEqual({ type: 'error', errorText: SERVER_RESTART_MESSAGE });
  expect(await server.exited).toBe(0);
  const stoppedAfter = performance.now() - signalledAt;
  expect(stoppedAfter).toBeGreaterThanOrEqual(graceMs);
  expect(stoppedAfter).toBeLessThan(graceMs + 2000);
  console.log(`[shutdown] SIGTERM → exit 0 in ${Math.round(stoppedAfter)} ms with a ${graceMs} ms grace`);

  const stored = await storedReply(id);
  expect(stored).toMatchObject({ status: 'interrupted', error: SERVER_RESTART_MESSAGE, outcome: 'interrupted' });
  // Every word the reader got was saved (the final save holds the whole text so far).
  expect(stored!.text).toBe(text);
  expect(stored!.output_tokens).toBeGreaterThan(0);
});
