import { sql } from 'drizzle-orm';
import OpenAI from 'openai';
import { beforeEach, describe, expect, test } from 'vitest';
import { expectedText, parseScenario } from '@/e2e/fake-upstream/scenario';
import { createApiKey, revokeApiKey } from '@/lib/auth/api-keys';
import { getDatabase } from '@/lib/db';
import { medianLatency } from '@/lib/testing/chat-client';
import { queryRows } from '@/lib/db/database';
import { routeTestEnvironment } from '@/lib/testing/route-environment';
import { PNG_BYTES } from '@/lib/testing/sample-files';
import { waitFor } from '@/lib/testing/wait-for';
import { POST as completions } from './chat/completions/route';
import { GET as models } from './models/route';

/**
 * The official `openai` client against /api/v1. Its requests reach the route handlers in this
 * process (through the client's `fetch` option); the upstream is the fake, in its own process.
 */
const env = routeTestEnvironment('v1');
let key: string;
beforeEach(async () => {
  env.configure({
    OPENAI_API_KEY: 'sk-test',
    ANTHROPIC_API_KEY: 'sk-ant-test',
    RUNNEL_MODELS: JSON.stringify([
      { id: 'gpt', provider: 'openai-compatible', model: 'fake-model', baseURL: env.fake.url, images: true },
      { id: 'claude', provider: 'anthropic', model: 'fake-claude', baseURL: env.fake.anthropicUrl },
      { id: 'text-only', provider: 'openai-compatible', model: 'fake-text', baseURL: env.fake.url },
    ]),
  });
  key ??= (await createApiKey(await getDatabase(), { name: 'test-suite' })).key;
});

/** Routes the client's HTTP requests to the handlers, as `next start` would. */
async function routeToHandlers(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  const { pathname } = new URL(request.url);
  if (pathname === '/api/v1/chat/completions') return completions(request);
  if (pathname === '/api/v1/models') return models(request);
  return new Response('not found', { status: 404 });
}

const client = (apiKey = key) => new OpenAI({ apiKey, baseURL: 'http://127.0.0.1:3000/api/v1', fetch: routeToHandlers, maxRetries: 0 });
const now = () => performance.timeOrigin + performance.now();
const user = (content: string) => [{ role: 'user' as const, content }];

describe('the official openai client', () => {
  test('streams a completion, with usage when asked', async () => {
    const stream = await client().chat.completions.create({
      model: 'gpt',
      messages: [{ role: 'system', content: 'Be brief.' }, ...user('[[fake id=v1-stream tokens=8]]')],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      expect(chunk).toMatchObject({ object: 'chat.completion.chunk', model: 'gpt', id: expect.stringMatching(/^chatcmpl-/) });
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(expectedText(parseScenario('[[fake tokens=8]]')));
    expect(finish).toBe('stop');
    expect(usage).toEqual({ prompt_tokens: 10, completion_tokens: 8, total_tokens: 18 });
    const record = await env.fake.record('v1-stream');
    expect(record?.messages).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: '[[fake id=v1-stream tokens=8]]' }]);
  });

  test('streams without a usage chunk when not asked', async () => {
    const stream = await client().chat.completions.create({ model: 'gpt', messages: user('[[fake tokens=3]]'), stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
  });

  test('non-streams a completion, sampling options passed on', async () => {
    const completion = await client().chat.completions.create({ model: 'gpt', messages: user('[[fake id=v1-whole tokens=5]]'), max_tokens: 50, temperature: 0.2 });
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'gpt',
      choices: [{ index: 0, message: { role: 'assistant', content: 'w0 w1 w2 w3 w4 ' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    });
    expect(await env.fake.record('v1-whole')).toMatchObject({ maxTokens: 50, temperature: 0.2 });
  });

  test('an Anthropic model answers in the same format, thinking as reasoning_content', async () => {
    const completion = await client().chat.completions.create({ model: 'claude', messages: user('[[fake tokens=2 reasoning=2]]') });
    const message = completion.choices[0]!.message as OpenAI.ChatCompletionMessage & { reasoning_content?: string };
    expect(message.content).toBe('w0 w1 ');
    expect(message.reasoning_content).toBe('think0 think1 ');
    expect(completion.usage).toEqual({ prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 });
  });

  test('lists the configured models', async () => {
    const list = await client().models.list();
    expect(list.data.map((m) => m.id)).toEqual(['gpt', 'claude', 'text-only']);
  });

  test('aborting a stream closes the upstream connection within 10 ms', async () => {
    const latency = await medianLatency(async (run) => {
      const controller = new AbortController();
      const stream = await client().chat.completions.create(
        { model: 'gpt', messages: user(`[[fake id=v1-abort-${run} tokens=100000 delay=5]]`), stream: true },
        { signal: controller.signal },
      );
      let received = 0;
      let abortedAt = 0;
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content && ++received === 3) {
          abortedAt = now();
          controller.abort();
        }
      }
      const record = await env.fake.waitForDisconnect(`v1-abort-${run}`);
      expect(record.completedAt).toBeUndefined();
      return record.disconnectedAt! - abortedAt;
    });
    expect(latency).toBeLessThan(10);
  });

  test('a failure mid-stream is raised by the client after the text so far', async () => {
    const stream = await client().chat.completions.create({ model: 'gpt', messages: user('[[fake tokens=10 errorEvent=3 delay=2]]'), stream: true });
    let text = '';
    const read = async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    };
    await expect(read()).rejects.toBeInstanceOf(OpenAI.APIError);
    expect(text).toBe('w0 w1 w2 ');
  });
});

describe('errors in OpenAI shape', () => {
  const failure = async (call: () => Promise<unknown>) => {
    try {
      await call();
    } catch (error) {
      return error as InstanceType<typeof OpenAI.APIError>;
    }
    throw new Error('expected the call to fail');
  };

  test.each([
    ['a key that is not Runnel’s', 'sk-proj-123'],
    ['an unknown rk_ key', 'rk_unknownunknownunknownunknownunknownunknownu'],
  ])('%s is 401', async (_name, apiKey) => {
    const error = await failure(() => client(apiKey).chat.completions.create({ model: 'gpt', messages: user('hi') }));
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.status).toBe(401);
    expect(error.code).toBe('invalid_api_key');
  });

  test('a missing Authorization header is 401 naming how to get a key', async () => {
    const response = await completions(new Request('http://x/api/v1/chat/completions', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }));
    expect(response.status).toBe(401);
    const body = await response.json();
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'missing_api_key', param: null, message: expect.stringContaining('npm run keys') });
  });

  test('a revoked key is 401', async () => {
    const db = await getDatabase();
    const { key: doomed, summary } = await createApiKey(db, { name: 'doomed' });
    await client(doomed).models.list();
    await revokeApiKey(db, summary.prefix);
    expect(await failure(() => client(doomed).models.list())).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  test('an unknown model is 404 model_not_found', async () => {
    const error = await failure(() => client().chat.completions.create({ model: 'fake-model', messages: user('hi') }));
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({ code: 'model_not_found', param: 'model' });
  });

  test.each([
    ['no messages', { model: 'gpt', messages: [] }, /messages/],
    ['a tool role', { model: 'gpt', messages: [{ role: 'tool', content: 'x', tool_call_id: 't' }] }, /role/],
    ['tools', { model: 'gpt', messages: user('hi'), tools: [{ type: 'function', function: { name: 'f' } }] }, /tools are not supported/],
    ['n = 2', { model: 'gpt', messages: user('hi'), n: 2 }, /n must be 1/],
    ['a temperature of 3', { model: 'gpt', messages: user('hi'), temperature: 3 }, /temperature/],
  ])('%s is 400 naming the problem', async (_name, body, message) => {
    const error = await failure(() => client().chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.message).toMatch(message);
  });

  test('an upstream 429 is passed on with Retry-After', async () => {
    const error = await failure(() => client().chat.completions.create({ model: 'gpt', messages: user('[[fake status=429 retryAfter=11]]') }));
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.headers?.get('retry-after')).toBe('11');
  });
});

test('requests are stored like chats, attributed to their key', async () => {
  const { key: own, summary } = await createApiKey(await getDatabase(), { name: 'stored' });
  await client(own).chat.completions.create({ model: 'gpt', messages: user('Store me [[fake tokens=2]]') });
  const db = await getDatabase();
  const rows = await waitFor(async () => {
    const found = await queryRows<{ title: string; model: string; role: string; status: string; parts: unknown }>(
      db,
      sql`select c.title, c.model, m.role, m.status, m.parts from conversations c join messages m on m.conversation_id = c.id
          where c.api_key_id = ${summary.id} order by m.created_at, m.id`,
    );
    return found.at(-1)?.status === 'done' ? found : undefined;
  });
  expect(rows.map((r) => [r.role, r.status])).toEqual([['user', 'done'], ['assistant', 'done']]);
  expect(rows[0]).toMatchObject({ title: 'API: Store me [[fake tokens=2]]', model: 'gpt' });
  expect(rows[1]!.parts).toEqual([{ type: 'text', text: 'w0 w1 ', state: 'done' }]);
});

describe('images (image_url content parts)', () => {
  const withImage = (url: string, text: string): OpenAI.ChatCompletionMessageParam[] => [
    { role: 'user', content: [{ type: 'text', text }, { type: 'image_url', image_url: { url } }] },
  ];
  const dataUrl = `data:image/png;base64,${PNG_BYTES.toString('base64')}`;

  test('a data URL reaches the model as the image it is; an https URL is passed on, not fetched', async () => {
    await client().chat.completions.create({ model: 'gpt', messages: withImage(dataUrl, '[[fake id=v1-img-data tokens=1]]') });
    expect((await env.fake.record('v1-img-data'))?.messages[0]?.images).toEqual([{ mediaType: 'image/png', bytes: PNG_BYTES.length }]);
    await client().chat.completions.create({ model: 'claude', messages: withImage('https://images.example/cat.png', '[[fake id=v1-img-url tokens=1]]') });
    expect((await env.fake.record('v1-img-url'))?.messages[0]?.images).toEqual([{ url: 'https://images.example/cat.png' }]);
  });

  test.each([
    ['an http URL', 'http://127.0.0.1:6379/', /data: URL or an https: URL, not http:/],
    ['a file URL', 'file:///etc/passwd', /data: URL or an https: URL, not file:/],
    ['a data URL that is no image', `data:image/png;base64,${Buffer.from('just text').toString('base64')}`, /not a PNG, JPEG, WebP or GIF/],
    ['a data URL that is not base64', 'data:image/png,rawbytes', /not a base64 data URL/],
  ])('refused before any upstream call: %s', async (_, url, message) => {
    const error = await client()
      .chat.completions.create({ model: 'gpt', messages: withImage(url, '[[fake id=v1-img-bad]]') })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_image_url', param: 'messages', message: expect.stringMatching(message) });
    expect(await env.fake.record('v1-img-bad')).toBeUndefined();
  });

  test('a model that takes no images says so', async () => {
    const error = await client()
      .chat.completions.create({ model: 'text-only', messages: withImage(dataUrl, 'hi') })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 400, code: 'images_unsupported', message: expect.stringContaining('The model `text-only` does not take images.') });
  });
});
