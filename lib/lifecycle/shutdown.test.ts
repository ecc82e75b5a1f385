import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { GET as ready } from '@/app/api/health/ready/route';
import { GET as live } from '@/app/api/health/live/route';
import { POST as chat } from '@/app/api/chat/route';
import { POST as completions } from '@/app/api/v1/chat/completions/route';
import { SERVER_RESTART_MESSAGE } from '@/lib/errors';
import { getConfig } from '@/lib/config';
import { getDatabase } from '@/lib/db';
import { queryRows } from '@/lib/db/database';
import { slotsInUse } from '@/lib/limits/limits';
import { chatBody, chatRequest, readChunks } from '@/lib/testing/chat-client';
import { routeTestEnvironment } from '@/lib/testing/route-environment';
import { shutDown } from './shutdown';
import { generationsInFlight, resetWork } from './work';

// `after()` outside a request throws; here it records what a serverless platform would keep alive.
const keptAlive = vi.hoisted(() => [] as Promise<unknown>[]);
vi.mock('next/server', async (original) => ({ ...(await original<typeof import('next/server')>()), after: (work: Promise<unknown>) => keptAlive.push(work) }));

const env = routeTestEnvironment('shutdown');
beforeEach(() => env.configure({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: env.fake.url, OPENAI_MODEL: 'fake-model' }));
afterEach(() => {
  resetWork();
  keptAlive.length = 0;
});

interface Row {
  status: string;
  error: string | null;
  text: string;
  outcome: string | null;
  output_tokens: number | null;
}

/** The reply of a conversation and its usage record, as stored. */
async function storedReply(conversationId: string): Promise<Row | undefined> {
  const rows = await queryRows<Row>(
    await getDatabase(),
    sql`select m.status, m.error, coalesce(m.parts->0->>'text', '') as text, u.outcome, u.output_tokens
        from messages m left join usage_records u on u.message_id = m.id
        where m.conversation_id = ${conversationId} and m.role = 'assistant'`,
  );
  return rows[0];
}

describe('shutting down', () => {
  test('a short answer in flight finishes and is stored done; new requests meanwhile get 503 with Retry-After; readiness says draining, liveness stays up', async () => {
    const body = chatBody('[[fake tokens=20 delay=20]]');
    const response = await chat(chatRequest(body));
    expect(response.status).toBe(200);
    const reading = readChunks(response);
    const stopped = shutDown('test', 10_000);

    const refused = await chat(chatRequest(chatBody('too late')));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect((await refused.json()).error).toMatchObject({ code: 'server_draining', message: expect.stringMatching(/restarting/) });
    const api = await completions(new Request('http://127.0.0.1/api/v1/chat/completions', { method: 'POST', body: '{}' }));
    expect(api.status).toBe(503);
    expect((await api.json()).error).toMatchObject({ code: 'server_draining', type: 'server_error' });
    expect((await ready()).status).toBe(503);
    expect(await (await ready()).json()).toMatchObject({ status: 'draining' });
    expect((await live()).status).toBe(200);

    await stopped;
    const { chunks, text } = await reading;
    expect(chunks.at(-1)).toMatchObject({ type: 'finish' });
    expect(text.split(' ').filter(Boolean)).toHaveLength(20);
    expect(await storedReply(body.id)).toMatchObject({ status: 'done', outcome: 'done', output_tokens: 20 });
  });

  test('an answer still streaming at the deadline is interrupted: the reader is told after the text it has, and the reply and its usage are stored', async () => {
    const body = chatBody('[[fake tokens=100000 delay=10]]');
    const ip = '203.0.113.9';
    const response = await chat(chatRequest(body, { headers: { 'x-forwarded-for': ip } }));
    const reading = readChunks(response);
    expect(await slotsInUse(getConfig(), 'ip', ip)).toBe(1);
    const started = performance.now();
    await shutDown('test', 300);
    expect(performance.now() - started).toBeLessThan(300 + 2000);
    expect(generationsInFlight()).toHaveLength(0);

    const { chunks, text } = await reading;
    expect(text.length).toBeGreaterThan(0);
    expect(chunks.at(-1)).toEqual({ type: 'error', errorText: SERVER_RESTART_MESSAGE });
    const stored = await storedReply(body.id);
    expect(stored).toMatchObject({ status: 'interrupted', error: SERVER_RESTART_MESSAGE, text, outcome: 'interrupted' });
    expect(stored!.output_tokens).toBeGreaterThan(0);
    expect(await slotsInUse(getConfig(), 'ip', ip)).toBe(0);
  });

  test("the work after the last byte is what a serverless platform is asked to wait for: with the client gone, awaiting it is enough to find the reply and its usage stored", async () => {
    const controller = new AbortController();
    const body = chatBody('[[fake tokens=100000 delay=5]]');
    const response = await chat(chatRequest(body, { signal: controller.signal }));
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    void reader.cancel();
    // Only what was handed to after(): a frozen function runs nothing else.
    expect(keptAlive.length).toBeGreaterThanOrEqual(2);
    await Promise.all(keptAlive);
    expect(await storedReply(body.id)).toMatchObject({ status: 'stopped', outcome: 'stopped' });
  });
});
