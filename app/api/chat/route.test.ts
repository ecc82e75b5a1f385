import { readUIMessageStream, uiMessageChunkSchema, type UIMessage, type UIMessageChunk } from 'ai';
import { beforeEach, describe, expect, test } from 'vitest';
import { expectedText, parseScenario } from '@/e2e/fake-upstream/scenario';
import { parseServerTiming } from '@/lib/chat/server-timing';
import { chatBody, chatRequest, leaveMidStream, medianLatency, readChunks } from '@/lib/testing/chat-client';
import { persistenceTests } from '@/lib/testing/persistence-tests';
import { routeTestEnvironment } from '@/lib/testing/route-environment';
import { GET, POST } from './route';

const env = routeTestEnvironment('route');
const configure = (vars: Record<string, string | undefined>) =>
  env.configure({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: env.fake.url, OPENAI_MODEL: 'fake-model', ...vars });
beforeEach(() => configure({}));

const send = (text: string, init?: { signal?: AbortSignal }) => POST(chatRequest(chatBody(text), init));
const now = () => performance.timeOrigin + performance.now();

describe('a reply that streams', () => {
  test('is a UI message stream: headers, event order, text, usage, [DONE]', async () => {
    const response = await send('Hi [[fake id=ok tokens=5]]');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(response.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');

    const raw = await response.text();
    expect(raw.endsWith('data: [DONE]\n\n')).toBe(true);
    // Each event: its position in the reply as `id:`, increasing, then one chunk as JSON.
    const events = raw.split('\n\n').filter((event) => event.startsWith('id: '));
    const ids = events.map((event) => Number(/^id: (\d+)\n/.exec(event)?.[1]));
    expect(ids[0]).toBe(1);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    const chunks = events.map((event) => JSON.parse(event.slice(event.indexOf('\ndata: ') + 7)) as UIMessageChunk);
    // Deltas that arrive together may be relayed as one: what matters is order and text.
    const types = chunks.map((c) => c.type).join(' ');
    expect(types).toMatch(/^start text-start (text-delta )+text-end finish$/);
    expect(chunks[0]).toMatchObject({ type: 'start', messageId: expect.any(String), messageMetadata: { model: 'fake-model' } });
    const text = chunks.flatMap((c) => (c.type === 'text-delta' ? [c.delta] : [])).join('');
    expect(text).toBe(expectedText(parseScenario('[[fake tokens=5]]')));
    expect(chunks.at(-1)).toMatchObject({
      type: 'finish',
      finishReason: 'stop',
      messageMetadata: { usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 } },
    });
    expect((await env.fake.record('ok'))?.messages).toEqual([{ role: 'user', content: 'Hi [[fake id=ok tokens=5]]' }]);
  });

  test('says where the wait before it went (Server-Timing): admitted, question stored and the first token before the answer', async () => {
    const response = await send('[[fake tokens=3 headerDelay=30]]');
    const marks = parseServerTiming(response.headers.get('server-timing'));
    expect(Object.keys(marks).sort()).toEqual(['admitted', 'answered', 'stored', 'upstream']);
    // The upstream is asked before the question is stored; the answer waits for both.
    expect(marks.admitted).toBeLessThanOrEqual(marks.stored!);
    expect(marks.answered).toBeGreaterThanOrEqual(Math.max(marks.stored!, marks.upstream!));
    // The provider answering 30 ms after the request: a wait on the upstream's mark alone.
    expect(marks.upstream).toBeGreaterThanOrEqual(30);
    await readChunks(response);
  });

  test("is read by the AI SDK's own client code into the same message", async () => {
    const response = await send('[[fake tokens=40 text=unicode]]');
    const { chunks } = await readChunks(response);
    const schema = uiMessageChunkSchema();
    for (const chunk of chunks) expect((await schema.validate!(chunk)).success, JSON.stringify(chunk)).toBe(true);

    let message: UIMessage | undefined;
    const stream = new ReadableStream<UIMessageChunk>({
      start(controller) {
        chunks.forEach((chunk) => controller.enqueue(chunk));
        controller.close();
      },
    });
    for await (const snapshot of readUIMessageStream({ stream, terminateOnError: true })) message = snapshot;
    expect(message?.parts).toEqual([{ type: 'text', text: expectedText(parseScenario('[[fake tokens=40 text=unicode]]')), state: 'done' }]);
    expect(message?.metadata).toMatchObject({ model: 'fake-model', usage: { outputTokens: 40 } });
  });

  test('sends a keep-alive comment while the upstream is silent', async () => {
    configure({ RUNNEL_HEARTBEAT_MS: '40' });
    const controller = new AbortController();
    const response = await send('[[fake id=quiet tokens=10 hang=2]]', { signal: controller.signal });
    const reader = response.body!.getReader();
    let raw = '';
    const decoder = new TextDecoder();
    while (!raw.includes(': keep-alive')) raw += decoder.decode((await reader.read()).value, { stream: true });
    expect(raw).toContain('w1 ');
    controller.abort();
    await reader.cancel();
  });
});

describe('failures before the first token are HTTP errors with a JSON body', () => {
  test.each([
    ['401 from the upstream', '[[fake status=401]]', 502, 'upstream_auth'],
    ['400 from the upstream', '[[fake status=400]]', 502, 'upstream_bad_request'],
    ['500 from the upstream', '[[fake status=500]]', 502, 'upstream_error'],
    ['an error event before any token', '[[fake errorEvent=0]]', 502, 'upstream_error'],
  ])('%s', async (_name, text, status, code) => {
    const response = await send(text);
    expect(response.status).toBe(status);
    const body = await response.json();
    expect(body).toEqual({ error: { code, message: expect.any(String) } });
    expect(JSON.stringify(body)).not.toMatch(/sk-|stack|at \w+ \(/);
  });

  test('a 429 passes its Retry-After on', async () => {
    const response = await send('[[fake status=429 retryAfter=7]]');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect((await response.json()).error.code).toBe('rate_limited');
  });

  test('an unreachable upstream is 503', async () => {
    configure({ OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' });
    const response = await send('hello');
    expect(response.status).toBe(503);
    expect((await response.json()).error).toEqual({ code: 'upstream_unavailable', message: 'The model provider cannot be reached.' });
  });

  test.each([
    ['sends no headers', 'hang=headers', 'silent-headers'],
    ['sends headers, then nothing', 'hang=0', 'silent-body'],
  ])('an upstream that %s times out with 504 and is disconnected', async (_name, hang, id) => {
    configure({ RUNNEL_FIRST_BYTE_TIMEOUT_MS: '300' });
    const response = await send(`[[fake id=${id} ${hang}]]`);
    expect(response.status).toBe(504);
    expect((await response.json()).error.code).toBe('upstream_timeout');
    expect((await env.fake.waitForDisconnect(id)).disconnectedAt).toBeDefined();
  });
});

describe('failures after the first token are error chunks, after the text so far', () => {
  test.each([
    ['the upstream drops the connection', '[[fake tokens=10 drop=4 delay=2]]'],
    ['the upstream sends a malformed chunk', '[[fake tokens=10 malformed=4]]'],
    ['the upstream sends an error event', '[[fake tokens=10 errorEvent=4]]'],
  ])('%s', async (_name, text) => {
    const response = await send(text);
    expect(response.status).toBe(200);
    const { chunks, text: received, failure } = await readChunks(response);
    expect(failure).toBeUndefined();
    expect(received).toBe('w0 w1 w2 w3 ');
    expect(chunks.slice(-2)).toEqual([
      { type: 'text-end', id: expect.any(String) },
      { type: 'error', errorText: expect.stringMatching(/model provider/) },
    ]);
  });
});

describe('bad requests are 4xx with a JSON body naming the problem', () => {
  const post = (body: string, headers?: Record<string, string>) => POST(chatRequest(body, { headers }));
  const user = (text: string) => ({ id: 'u', role: 'user', parts: [{ type: 'text', text }] });

  test.each([
    ['not JSON', 'hello', { 'content-type': 'text/plain' }, 415, 'unsupported_media_type', /JSON/],
    ['invalid JSON', '{"id":', { 'content-type': 'application/json' }, 400, 'invalid_json', /not valid JSON/],
    ['no messages', JSON.stringify({ id: 'c' }), {}, 400, 'invalid_request', /^messages/],
    ['empty messages', JSON.stringify({ id: 'c', messages: [] }), {}, 400, 'invalid_request', /^messages/],
    ['an unknown role', JSON.stringify({ id: 'c', messages: [{ id: 'u', role: 'robot', parts: [] }] }), {}, 400, 'invalid_request', /^messages\[0\]\.role/],
    ['a text part without text', JSON.stringify({ id: 'c', messages: [{ id: 'u', role: 'user', parts: [{ type: 'text' }] }] }), {}, 400, 'invalid_request', /^messages\[0\]\.parts\[0\]/],
    ['last message not from the user', JSON.stringify({ id: 'c', messages: [{ ...user('x'), role: 'assistant' }] }), {}, 400, 'invalid_request', /last message must be from the user/],
    ['last message without text', JSON.stringify({ id: 'c', messages: [user('  ')] }), {}, 400, 'invalid_request', /no text/],
    ['a text that is too long', JSON.stringify({ id: 'c', messages: [user('x'.repeat(100_001))] }), {}, 400, 'invalid_request', /^messages\[0\]\.parts\[0\]\.text/],
    ['too many messages', JSON.stringify({ id: 'c', messages: Array(201).fill(user('x')) }), {}, 400, 'invalid_request', /^messages/],
    ['an unknown model', JSON.stringify({ id: 'c', messages: [user('x')], model: 'gpt-9' }), {}, 400, 'unknown_model', /gpt-9/],
    ['a body over 1 MB', JSON.stringify({ id: 'c', messages: [user('x'.repeat(1024 * 1024))] }), {}, 413, 'payload_too_large', /1 MB/],
  ])('%s', async (_name, body, headers, status, code, message) => {
    const response = await post(body, { 'content-type': 'application/json', ...headers });
    expect(response.status).toBe(status);
    const json = await response.json();
    expect(json.error.code).toBe(code);
    expect(json.error.message).toMatch(message);
  });

  test('other methods are 405 with Allow: POST', async () => {
    const response = GET();
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect((await response.json()).error.code).toBe('method_not_allowed');
  });
});

describe('the client going away closes the upstream connection at once', () => {
  const WITHIN_MS = 10;

  test('mid-stream, while tokens flow', async () => {
    const latency = await medianLatency(async (run) => {
      const controller = new AbortController();
      const response = await send(`[[fake id=flowing-${run} tokens=100000 delay=5]]`, { signal: controller.signal });
      const abortedAt = await leaveMidStream(response, controller);
      const record = await env.fake.waitForDisconnect(`flowing-${run}`);
      expect(record.completedAt).toBeUndefined();
      return record.disconnectedAt! - abortedAt;
    });
    expect(latency).toBeLessThan(WITHIN_MS);
  });

  test('mid-stream, when only the body is cancelled', async () => {
    const latency = await medianLatency(async (run) => {
      const response = await send(`[[fake id=cancel-body-${run} tokens=100000 delay=5]]`);
      const reader = response.body!.getReader();
      await reader.read();
      const cancelledAt = now();
      await reader.cancel();
      return (await env.fake.waitForDisconnect(`cancel-body-${run}`)).disconnectedAt! - cancelledAt;
    });
    expect(latency).toBeLessThan(WITHIN_MS);
  });

  test('mid-stream, while the upstream is silent', async () => {
    const latency = await medianLatency(async (run) => {
      const controller = new AbortController();
      const response = await send(`[[fake id=silent-mid-${run} tokens=10 hang=3]]`, { signal: controller.signal });
      await response.body!.getReader().read();
      const abortedAt = now();
      controller.abort();
      return (await env.fake.waitForDisconnect(`silent-mid-${run}`)).disconnectedAt! - abortedAt;
    });
    expect(latency).toBeLessThan(WITHIN_MS);
  });

  test.each([
    ['before the upstream sent a byte', 'hang=headers', 'abort-no-headers'],
    ['after headers, before the first token', 'hang=0', 'abort-no-token'],
  ])('%s', async (_name, hang, id) => {
    const latency = await medianLatency(async (run) => {
      const controller = new AbortController();
      const pending = send(`[[fake id=${id}-${run} ${hang}]]`, { signal: controller.signal });
      await env.fake.waitForRecord(`${id}-${run}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const abortedAt = now();
      controller.abort();
      const record = await env.fake.waitForDisconnect(`${id}-${run}`);
      expect((await pending).status).toBe(499);
      return record.disconnectedAt! - abortedAt;
    });
    expect(latency).toBeLessThan(WITHIN_MS);
  });
});

describe('with no provider configured', () => {
  test('the offline demo model answers through the same protocol', async () => {
    configure({ OPENAI_API_KEY: '', OPENAI_BASE_URL: '', RUNNEL_OFFLINE_TOKENS_PER_SECOND: '0' });
    const response = await send('How do I bake bread?');
    expect(response.status).toBe(200);
    const { chunks, text } = await readChunks(response);
    expect(chunks[0]).toMatchObject({ type: 'start', messageMetadata: { model: 'offline-demo', modelLabel: 'Offline demo' } });
    expect(text).toMatch(/^\*\*Offline demo\.\*\*/);
    expect(text).toContain('> How do I bake bread?');
    expect(text).toContain('```bash\n# OpenAI\nOPENAI_API_KEY=');
    expect(chunks.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop', messageMetadata: { usage: { outputTokens: expect.any(Number) } } });
  });

  test('the offline model stops when the client goes', async () => {
    configure({ OPENAI_API_KEY: '', OPENAI_BASE_URL: '', RUNNEL_OFFLINE_TOKENS_PER_SECOND: '50' });
    const response = await send('hello');
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    // Nothing to observe upstream; the generation must simply end without error.
  });
});

describe('conversations are stored (embedded PGlite)', () => persistenceTests(() => env.fake));
