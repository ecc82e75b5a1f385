import { sql } from 'drizzle-orm';
import { beforeEach, expect, test } from 'vitest';
import { getDatabase } from '@/lib/db';
import { queryRows } from '@/lib/db/database';
import { chatBody, chatRequest, readChunks } from '@/lib/testing/chat-client';
import { routeTestEnvironment } from '@/lib/testing/route-environment';
import { waitFor } from '@/lib/testing/wait-for';
import { POST } from './route';

/**
 * The model provider misbehaving, for real, through the fake upstream's directives: each fault
 * ends cleanly for the reader, and the reply (where there is one) and its usage are stored.
 */
const env = routeTestEnvironment('upstream-faults');
beforeEach(() => env.configure({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: env.fake.url, OPENAI_MODEL: 'fake-model', RUNNEL_FIRST_BYTE_TIMEOUT_MS: '500' }));

interface Outcome {
  reply?: { status: string; text: string; error: string | null };
  usage: { outcome: string; output_tokens: number; estimated: boolean };
}

/** What was stored of a conversation's reply, and its usage record, once both are written. */
const stored = (conversationId: string) =>
  waitFor(async () => {
    const db = await getDatabase();
    const [usage] = await queryRows<Outcome['usage']>(db, sql`select outcome, output_tokens, estimated from usage_records where conversation_id = ${conversationId}`);
    const [reply] = await queryRows<NonNullable<Outcome['reply']>>(
      db,
      sql`select status, coalesce(parts->0->>'text', '') as text, error from messages where conversation_id = ${conversationId} and role = 'assistant'`,
    );
    if (!usage || reply?.status === 'streaming') return undefined;
    return { reply, usage } satisfies Outcome;
  }, 5000);

const send = (directive: string) => {
  const body = chatBody(`[[fake ${directive}]]`);
  return { id: body.id, response: POST(chatRequest(body)) };
};

test('headers, then silence past the first-byte timeout: 504 with a JSON error, the upstream closed, metered', async () => {
  const { id, response } = send('id=silent hang=0');
  const answer = await response;
  expect(answer.status).toBe(504);
  expect((await answer.json()).error.code).toBe('upstream_timeout');
  await env.fake.waitForDisconnect('silent');
  expect(await stored(id)).toMatchObject({ reply: undefined, usage: { outcome: 'error' } });
});

test('a connection reset before the headers: an HTTP error naming the provider, metered with nothing billed', async () => {
  const { id, response } = send('reset');
  const answer = await response;
  expect(answer.status).toBeGreaterThanOrEqual(502);
  expect(answer.status).toBeLessThan(504);
  expect((await answer.json()).error.code).toMatch(/^upstream_/);
  expect(await stored(id)).toMatchObject({ reply: undefined, usage: { outcome: 'error', output_tokens: 0 } });
});

test('a reset after the headers, before the first token: an HTTP error, metered', async () => {
  const { id, response } = send('drop=0 delay=5');
  const answer = await response;
  // Unavailable (503) once the one retry of a dropped connection has been dropped too.
  expect([502, 503]).toContain(answer.status);
  expect((await answer.json()).error.code).toMatch(/^upstream_/);
  expect(await stored(id)).toMatchObject({ reply: undefined, usage: { outcome: 'error' } });
});

test('a reset mid-answer and just before the end: the text so far, then an error event; stored as error with that text, usage estimated', async () => {
  for (const directive of ['drop=3 tokens=6 delay=5', 'drop=6 tokens=6 delay=5']) {
    const { id, response } = send(directive);
    const { chunks, text } = await readChunks(await response);
    expect(chunks.at(-1)?.type, directive).toBe('error');
    expect(text.trim().split(' ').length, directive).toBe(Number(/drop=(\d+)/.exec(directive)![1]));
    expect(await stored(id), directive).toMatchObject({ reply: { status: 'error', text }, usage: { outcome: 'error', estimated: true } });
  }
});

test('one 1 MB delta: relayed whole, stored whole, metered', async () => {
  const { id, response } = send('big=1000000 tokens=2');
  const { chunks, text } = await readChunks(await response);
  expect(chunks.at(-1)?.type).toBe('finish');
  expect(text).toBe(`${'x'.repeat(1_000_000)}w1 `);
  const outcome = await stored(id);
  expect(outcome.reply).toMatchObject({ status: 'done' });
  expect(outcome.reply!.text).toHaveLength(1_000_003);
  expect(outcome.usage.outcome).toBe('done');
});

test('bytes that are not UTF-8 in a delta: shown and stored as U+FFFD, the answer finishes', async () => {
  const { id, response } = send('badBytes=2 tokens=4');
  const { chunks, text } = await readChunks(await response);
  expect(chunks.at(-1)?.type).toBe('finish');
  expect(text).toBe('w0 w1 \uFFFD\uFFFDA\uFFFDw2 w3 ');
  expect(await stored(id)).toMatchObject({ reply: { status: 'done', text } });
});

test('an upstream that never closes after its end event: the answer finishes at once, and its connection is closed soon after', async () => {
  const { id, response } = send('id=lingers linger tokens=3');
  const started = performance.now();
  const { chunks } = await readChunks(await response);
  expect(chunks.at(-1)?.type).toBe('finish');
  expect(performance.now() - started).toBeLessThan(1000);
  expect(await stored(id)).toMatchObject({ reply: { status: 'done' }, usage: { outcome: 'done' } });
  const record = await env.fake.waitForDisconnect('lingers', 5000);
  expect(record.disconnectedAt).toBeGreaterThan(record.completedAt!);
});
