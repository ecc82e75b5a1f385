import { afterAll, afterEach, describe, expect, test, vi } from 'vitest';
import { createApiKey } from '@/lib/auth/api-keys';
import { getDatabase } from '@/lib/db';
import { closeRedisClients } from '@/lib/limits/redis';
import { chatBody, chatRequest, readChunks } from '@/lib/testing/chat-client';
import { connectTestRedis } from '@/lib/testing/redis';
import { routeTestEnvironment } from '@/lib/testing/route-environment';
import { startTcpProxy, type TcpProxy } from '@/lib/testing/tcp-proxy';
import { POST as completions } from '../v1/chat/completions/route';
import { GET as listModels } from '../v1/models/route';
import { POST as chat } from './route';

const env = routeTestEnvironment('limits');
const redis = await connectTestRedis();
afterEach(async () => {
  vi.restoreAllMocks();
  await closeRedisClients();
});
afterAll(() => redis?.cleanUp());

const configure = (vars: Record<string, string>) => env.configure({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: env.fake.url, OPENAI_MODEL: 'fake-model', ...vars });

/** Sends as one browser (the cookie from its first answer) from one IP. */
function browser(ip = '192.0.2.10') {
  let cookie: string | undefined;
  return async (text = '[[fake tokens=2]]') => {
    const response = await chat(chatRequest(chatBody(text), { headers: { 'x-forwarded-for': ip, ...(cookie ? { cookie } : {}) } }));
    cookie ??= response.headers.get('set-cookie')?.split(';')[0];
    if (response.status === 200) await readChunks(response);
    return response;
  };
}

describe('over a limit: 429, Retry-After, and a JSON error naming the limit in words', () => {
  test('requests per minute per identity', async () => {
    configure({ RUNNEL_LIMIT_REQUESTS_PER_MINUTE: '3' });
    const send = browser();
    for (let i = 0; i < 3; i++) expect((await send()).status).toBe(200);
    const refused = await send();
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const { error } = await refused.json();
    expect(error).toMatchObject({ code: 'rate_limited', limit: 'requests_per_minute', scope: 'identity', retryAfterSeconds: retryAfter });
    expect(error.message).toMatch(retryAfter === 60 ? /at most 3 a minute per user\. Try again in 1 minute\./ : new RegExp(`at most 3 a minute per user\\. Try again in ${retryAfter} seconds?\\.`));
    // Another browser is not affected.
    expect((await browser()()).status).toBe(200);
  });

  test('requests per minute per IP, across identities', async () => {
    configure({ RUNNEL_LIMIT_IP_REQUESTS_PER_MINUTE: '2' });
    expect((await browser('192.0.2.77')()).status).toBe(200);
    expect((await browser('192.0.2.77')()).status).toBe(200);
    const refused = await browser('192.0.2.77')();
    expect(refused.status).toBe(429);
    expect((await refused.json()).error).toMatchObject({ limit: 'requests_per_minute', scope: 'ip', message: expect.stringContaining('per IP address') });
    expect((await browser('192.0.2.78')()).status).toBe(200);
  });

  test('concurrent streams: the slot comes back when a stream ends', async () => {
    configure({ RUNNEL_LIMIT_CONCURRENT_STREAMS: '1' });
    const controller = new AbortController();
    const long = await chat(chatRequest(chatBody('[[fake tokens=1000 delay=5]]'), { signal: controller.signal, headers: { 'x-forwarded-for': '192.0.2.10' } }));
    expect(long.status).toBe(200);
    const cookie = long.headers.get('set-cookie')!.split(';')[0]!;
    const refusedBody = chatBody('[[fake tokens=2]]');
    const second = await chat(chatRequest(refusedBody, { headers: { cookie } }));
    expect(second.status).toBe(429);
    expect((await second.json()).error).toMatchObject({ limit: 'concurrent_streams', message: expect.stringMatching(/at most 1 at a time per user\. Wait for one to finish/) });
    controller.abort();
    await long.body!.cancel();
    // Retry (the chat sends a regenerate of the refused message, which was never stored) now works.
    const retry = () => chat(chatRequest({ ...refusedBody, trigger: 'regenerate-message' }, { headers: { cookie } }));
    await expect.poll(async () => (await retry()).status).toBe(200);
  });

  test('tokens per day: the budget is spent by what streams used, and then refused until tomorrow', async () => {
    configure({ RUNNEL_LIMIT_TOKENS_PER_DAY: '30' });
    const send = browser();
    expect((await send('[[fake tokens=25]]')).status).toBe(200); // 10 in + 25 out: over budget now
    const refused = await expect.poll(async () => (await send()).status).toBe(429).then(() => send());
    const { error } = await refused.json();
    expect(error).toMatchObject({ limit: 'tokens_per_day', message: expect.stringMatching(/budget of 30 tokens per user is used up\. Try again in \d+ hours?/) });
  });

  test('/api/v1 answers in OpenAI’s shape, still naming the limit', async () => {
    configure({ RUNNEL_LIMIT_REQUESTS_PER_MINUTE: '1' });
    const { key } = await createApiKey(await getDatabase(), { name: 'limited' });
    const call = () =>
      completions(
        new Request('http://127.0.0.1/api/v1/chat/completions', {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: '[[fake tokens=1]]' }] }),
        }),
      );
    expect((await call()).status).toBe(200);
    const refused = await call();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await refused.json()).error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded', limit: 'requests_per_minute', scope: 'identity', param: null });
  });

  test('guessing API keys: after too many wrong keys an address is refused, even with a right one; other addresses are not', async () => {
    configure({ RUNNEL_LIMIT_IP_FAILED_KEYS: '3' });
    const { key } = await createApiKey(await getDatabase(), { name: 'guarded' });
    const models = (apiKey: string, ip: string) =>
      listModels(new Request('http://127.0.0.1/api/v1/models', { headers: { authorization: `Bearer ${apiKey}`, 'x-forwarded-for': ip } }));
    // Wrong in every way: unknown, right prefix with a wrong rest, not even a key.
    for (const wrong of [`rk_${'x'.repeat(43)}`, `${key.slice(0, 11)}${'y'.repeat(35)}`, 'sk-not-runnel']) expect((await models(wrong, '198.51.100.7')).status).toBe(401);
    const refused = await models(key, '198.51.100.7');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(800);
    expect((await refused.json()).error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded', limit: 'failed_api_keys', scope: 'ip', message: expect.stringMatching(/Too many wrong API keys from this address: try again in 1[45] minutes\./) });
    expect((await models(key, '198.51.100.8')).status).toBe(200);
  });
});

describe.skipIf(redis === undefined)('with Redis', () => {
  const keysIn = async (prefix: string) => (await redis!.client.keys(`${prefix}*`)).length;
  const counted = async (prefix: string) => {
    const keys = await redis!.client.keys(`${prefix}:identity:requests_per_minute*`);
    const values = await Promise.all(keys.map((key) => redis!.client.get(key)));
    return values.reduce((sum, value) => sum + Number(value ?? 0), 0);
  };

  test('limit state lives in Redis', async () => {
    const prefix = `${redis!.prefix}-state`;
    configure({ REDIS_URL: redis!.url, RUNNEL_REDIS_PREFIX: prefix, RUNNEL_LIMIT_REQUESTS_PER_MINUTE: '2' });
    const send = browser();
    expect((await send()).status).toBe(200);
    expect(await counted(prefix)).toBe(1);
    expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(429);
    expect(await keysIn(prefix)).toBeGreaterThan(0);
  });

  test('Redis going away mid-run: requests keep being served under in-memory limits, with a warning; when it is back, Redis is used again', async () => {
    const proxy: TcpProxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(redis!.url).port || 6379) });
    const prefix = `${redis!.prefix}-outage`;
    configure({ REDIS_URL: `redis://127.0.0.1:${proxy.port}`, RUNNEL_REDIS_PREFIX: prefix, RUNNEL_LIMIT_REQUESTS_PER_MINUTE: '3' });
    const warn = vi.spyOn(console, 'warn');
    const send = browser('192.0.2.50');
    expect((await send()).status).toBe(200);
    expect(await counted(prefix)).toBe(1);

    await proxy.stop();
    await expect.poll(() => warn.mock.calls.some(([message]) => String(message).includes('Redis') && String(message).includes('unavailable'))).toBe(true);
    // Served, and still limited (in memory: this process's count starts afresh).
    for (let i = 0; i < 3; i++) expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(429);
    expect(await counted(prefix)).toBe(1); // nothing reached Redis

    await proxy.start();
    await expect.poll(() => warn.mock.calls.some(([message]) => String(message).includes('answers again')), { timeout: 10_000 }).toBe(true);
    const other = browser('192.0.2.51');
    expect((await other()).status).toBe(200);
    expect(await counted(prefix)).toBe(2);
    await proxy.stop();
  });
});
