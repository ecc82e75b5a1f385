import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sql } from 'drizzle-orm';
import { beforeEach, expect, test } from 'vitest';
import { expectedText, parseScenario } from '@/e2e/fake-upstream/scenario';
import { MAX_UNSENT_CHARS } from '@/lib/ai/sse-response';
import { getDatabase } from '@/lib/db';
import { queryRows } from '@/lib/db/database';
import { generationsInFlight, pendingAfterWork } from '@/lib/lifecycle/work';
import { chatBody, chatRequest } from '@/lib/testing/chat-client';
import { routeTestEnvironment } from '@/lib/testing/route-environment';
import { waitFor } from '@/lib/testing/wait-for';
import { POST } from './route';

/**
 * Readers that never read. What bounds the server's memory: each unread response holds its
 * encoded answer, at most MAX_UNSENT_CHARS; a reader further behind is dropped, which stops its
 * answer (the upstream is closed, the reply saved as stopped). The upstream is read as fast as it
 * sends while the answer is being saved.
 */
const env = routeTestEnvironment('slow-readers');
beforeEach(() =>
  env.configure({
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: env.fake.url,
    OPENAI_MODEL: 'fake-model',
    RUNNEL_LIMIT_CONCURRENT_STREAMS: '0',
    RUNNEL_LIMIT_IP_CONCURRENT_STREAMS: '0',
    RUNNEL_LIMIT_IP_REQUESTS_PER_MINUTE: '0',
  }),
);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = () => {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

test('200 clients open a 5000-token answer and never read it: each holds its answer, nothing more; they are saved done', async () => {
  const before = heapMb();
  const bodies = Array.from({ length: 200 }, () => chatBody('[[fake tokens=5000]]'));
  const responses = await Promise.all(bodies.map((body) => POST(chatRequest(body))));
  expect(responses.every((response) => response.status === 200)).toBe(true);
  await waitFor(async () => (generationsInFlight().length === 0 ? true : undefined), 30_000);
  await Promise.all(pendingAfterWork());
  const held = heapMb() - before;
  // 5000 events of ~80 characters each (id and data lines), kept as a string built piece by piece.
  console.log(`[slow readers] 200 unread 5000-token answers hold ${held.toFixed(0)} MB (${(held / 200).toFixed(2)} MB each)`);
  expect(held / 200).toBeLessThan(2);
  const [row] = await queryRows<{ done: number }>(
    await getDatabase(),
    sql`select count(*)::int as done from messages where status = 'done' and role = 'assistant' and conversation_id in ${sql.raw(`(${bodies.map((b) => `'${b.id}'`).join(',')})`)}`,
  );
  expect(Number(row!.done)).toBe(200);
  for (const response of responses) await response.body!.cancel();
  // A million events through one process and the embedded database: about 20 s here, more on a busy machine.
}, 90_000);

test(`a reader more than ${MAX_UNSENT_CHARS / 2 ** 20} M characters behind is dropped: its answer stops there and is saved as stopped`, async () => {
  const body = chatBody('[[fake tokens=200000]]');
  const response = await POST(chatRequest(body));
  expect(response.status).toBe(200);
  const stored = await waitFor(async () => {
    const [row] = await queryRows<{ status: string; chars: number }>(
      await getDatabase(),
      sql`select status, length(parts->0->>'text') as chars from messages where conversation_id = ${body.id} and role = 'assistant'`,
    );
    return row?.status === 'streaming' ? undefined : row;
  }, 10_000);
  // Stopped where its reader fell behind, long before the answer's end (200,000 words).
  expect(stored.status).toBe('stopped');
  expect(Number(stored.chars)).toBeLessThan(expectedText(parseScenario('[[fake tokens=200000]]')).length / 2);
  await expect(response.body!.getReader().read()).rejects.toThrow(/fell too far behind/);
});
