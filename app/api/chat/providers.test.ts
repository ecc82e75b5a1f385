import { beforeEach, describe, expect, test } from 'vitest';
import { expectedText, parseScenario, reasoningText } from '@/e2e/fake-upstream/scenario';
import { resetHealthCache } from '@/lib/ai/health';
import { sql } from 'drizzle-orm';
import { getDatabase } from '@/lib/db';
import { queryRows } from '@/lib/db/database';
import { routeTestEnvironment } from '@/lib/testing/route-environment';
import { waitFor } from '@/lib/testing/wait-for';
import { chatBody, chatRequest, leaveMidStream, medianLatency, readChunks } from '@/lib/testing/chat-client';
import { GET as health } from '../health/route';
import { POST } from './route';

/** Every provider through the same browser route: Anthropic, a compatible server's reasoning, the model list. */
const env = routeTestEnvironment('providers');
beforeEach(() =>
  env.configure({
    OPENAI_API_KEY: 'sk-test',
    ANTHROPIC_API_KEY: 'sk-ant-test',
    RUNNEL_MODELS: JSON.stringify([
      { id: 'gpt', label: 'GPT (fake)', provider: 'openai-compatible', model: 'fake-model', baseURL: env.fake.url },
      { id: 'claude', label: 'Claude (fake)', provider: 'anthropic', model: 'fake-claude', baseURL: env.fake.anthropicUrl, maxOutputTokens: 321 },
      { id: 'offline-demo', provider: 'offline' },
    ]),
    RUNNEL_OFFLINE_TOKENS_PER_SECOND: '0',
  }),
);

const send = (text: string, model: string, init?: { signal?: AbortSignal }) => POST(chatRequest(chatBody(text, { model }), init));

describe('Anthropic', () => {
  test('streams text with usage from message_start and message_delta, system prompt apart', async () => {
    const response = await send('Hello [[fake id=ant-ok tokens=6]]', 'claude');
    expect(response.status).toBe(200);
    const { chunks, text, failure } = await readChunks(response);
    expect(failure).toBeUndefined();
    expect(text).toBe(expectedText(parseScenario('[[fake tokens=6]]')));
    expect(chunks[0]).toMatchObject({ type: 'start', messageMetadata: { model: 'claude', modelLabel: 'Claude (fake)' } });
    // 10 input + 2 read from the cache; the fake counts one output token per delta.
    expect(chunks.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop', messageMetadata: { usage: { inputTokens: 12, outputTokens: 6, totalTokens: 18 } } });
    const record = await env.fake.record('ant-ok');
    expect(record).toMatchObject({ api: 'anthropic', model: 'fake-claude', maxTokens: 321 });
    expect(record?.messages).toEqual([{ role: 'user', content: 'Hello [[fake id=ant-ok tokens=6]]' }]);
  });

  test('thinking arrives as a reasoning part before the text', async () => {
    const { chunks, text } = await readChunks(await send('[[fake tokens=3 reasoning=4]]', 'claude'));
    const types = chunks.map((c) => c.type).join(' ');
    expect(types).toMatch(/^start reasoning-start (reasoning-delta )+reasoning-end text-start (text-delta )+text-end finish$/);
    const reasoning = chunks.flatMap((c) => (c.type === 'reasoning-delta' ? [c.delta] : [])).join('');
    expect(reasoning).toBe([0, 1, 2, 3].map(reasoningText).join(''));
    expect(text).toBe('w0 w1 w2 ');
  });

  test.each([
    ['overloaded (529)', '[[fake status=529]]', 503, 'upstream_unavailable', /overloaded/],
    ['rate limited (429)', '[[fake status=429 retryAfter=9]]', 429, 'rate_limited', /rate limiting/],
    ['a rejected key (401)', '[[fake status=401]]', 502, 'upstream_auth', /ANTHROPIC_API_KEY/],
    ['a server error (500)', '[[fake status=500]]', 502, 'upstream_error', /failed/],
  ])('%s before the first token is an HTTP error', async (_name, directive, status, code, message) => {
    const response = await send(directive, 'claude');
    expect(response.status).toBe(status);
    const { error } = await response.json();
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    if (status === 429) expect(response.headers.get('retry-after')).toBe('9');
  });

  test('an overloaded error event mid-stream keeps the text and ends with an error chunk', async () => {
    const { chunks, text } = await readChunks(await send('[[fake tokens=10 errorEvent=4]]', 'claude'));
    expect(text).toBe('w0 w1 w2 w3 ');
    expect(chunks.at(-1)).toEqual({ type: 'error', errorText: expect.stringMatching(/overloaded/) });
  });

  test('a dropped connection mid-stream ends with an error chunk after the text so far', async () => {
    const { chunks, text } = await readChunks(await send('[[fake tokens=10 drop=3 delay=2]]', 'claude'));
    expect(text).toBe('w0 w1 w2 ');
    expect(chunks.at(-1)?.type).toBe('error');
  });

  test('the client going away closes the upstream connection within 10 ms', async () => {
    const latency = await medianLatency(async (run) => {
      const controller = new AbortController();
      const response = await send(`[[fake id=ant-abort-${run} tokens=100000 delay=5]]`, 'claude', { signal: controller.signal });
      const abortedAt = await leaveMidStream(response, controller);
      return (await env.fake.waitForDisconnect(`ant-abort-${run}`)).disconnectedAt! - abortedAt;
    });
    expect(latency).toBeLessThan(10);
  });
});

describe('an OpenAI-compatible server', () => {
  test('reasoning_content becomes a reasoning part, stored with the reply', async () => {
    const body = chatBody('[[fake tokens=2 reasoning=3]]', { model: 'gpt' });
    const { chunks, text } = await readChunks(await POST(chatRequest(body)));
    expect(chunks.filter((c) => c.type === 'reasoning-start')).toHaveLength(1);
    expect(text).toBe('w0 w1 ');

    const db = await getDatabase();
    const stored = await waitFor(async () => {
      const rows = await queryRows<{ parts: unknown; status: string }>(
        db,
        sql`select parts, status from messages where conversation_id = ${body.id} and role = 'assistant'`,
      );
      return rows[0]?.status === 'done' ? rows[0] : undefined;
    });
    expect(stored.parts).toEqual([
      { type: 'reasoning', text: 'think0 think1 think2 ', state: 'done' },
      { type: 'text', text: 'w0 w1 ', state: 'done' },
    ]);
  });
});

test('health reports every provider, Anthropic included', async () => {
  resetHealthCache();
  const response = await health();
  expect(response.status).toBe(200);
  const report = await response.json();
  expect(report.providers.map((p: { model: string; ok: boolean }) => [p.model, p.ok])).toEqual([
    ['gpt', true],
    ['claude', true],
    ['offline-demo', true],
  ]);
});

describe('models', () => {
  test('only configured ids are accepted', async () => {
    const response = await send('hi', 'fake-model'); // the upstream name, not a Runnel id
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatchObject({ code: 'unknown_model', message: expect.stringContaining('fake-model') });
  });

  test('the offline model answers through the same route', async () => {
    const { text } = await readChunks(await send('What is Runnel?', 'offline-demo'));
    expect(text).toMatch(/offline/i);
  });

  test('a conversation remembers the model it was last sent with', async () => {
    const body = chatBody('[[fake tokens=2]]', { model: 'gpt' });
    const first = await POST(chatRequest(body));
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    await readChunks(first);
    const modelOf = async () => (await queryRows<{ model: string }>(await getDatabase(), sql`select model from conversations where id = ${body.id}`))[0]?.model;
    expect(await modelOf()).toBe('gpt');
    const next = { ...body, model: 'claude', messages: [...body.messages, { id: 'u2', role: 'user', parts: [{ type: 'text', text: '[[fake tokens=2]]' }] }] };
    const second = await POST(chatRequest(next, { headers: { cookie } }));
    expect(second.status).toBe(200);
    await readChunks(second);
    expect(await modelOf()).toBe('claude');
  });
});
