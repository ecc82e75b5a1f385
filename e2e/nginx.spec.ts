import { request, type IncomingHttpHeaders } from 'node:http';
import { expect, test } from '@playwright/test';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/postgres';
import { connectTestRedis, type TestRedis } from '@/lib/testing/redis';
import { startTcpProxy, type TcpProxy } from '@/lib/testing/tcp-proxy';
import { readUIMessageChunks } from '@/lib/sse/reader';
import type { UIMessageChunk } from 'ai';
import { Agent, fetch } from 'undici';
import { expectedText, parseScenario } from './fake-upstream/scenario';
import { startNginx, type Nginx } from './deploy/nginx';
import { nextStart, type ServerProcess } from './deploy/server-process';
import { fakeRecord, lastAssistant, sendMessage, uniqueId } from './helpers';
import { E2E } from './ports';

/**
 * Two production instances on one PostgreSQL and one Redis behind the real nginx, with the repo's
 * configuration (deploy/nginx/runnel.conf), as compose runs them. Every client here talks to
 * nginx only (or to a relay standing for compose's published port), each from a loopback address
 * of its own, which nginx sees as `$remote_addr`.
 */
test.describe.configure({ mode: 'serial' });

const IDENTITY_LIMIT = 4;
const IP_LIMIT = 3;
const METRICS_TOKEN = 'nginx-spec-metrics-token';
let database: TestDatabase | undefined;
let redis: TestRedis | undefined;
let nginx: Nginx | undefined;
let published: TcpProxy | undefined;
const instances: ServerProcess[] = [];
const nginxUrl = `http://127.0.0.1:${E2E.nginxPort}`;
const instanceUrls = E2E.proxiedPorts.map((port) => `http://127.0.0.1:${port}`);

test.beforeAll(async () => {
  test.setTimeout(120_000);
  [database, redis] = await Promise.all([createTestDatabase(), connectTestRedis()]);
  if (!database || !redis) return;
  const env = {
    ...E2E.appModels,
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    RUNNEL_REDIS_PREFIX: redis.prefix,
    RUNNEL_TRUSTED_PROXIES: '1',
    RUNNEL_LIMIT_REQUESTS_PER_MINUTE: String(IDENTITY_LIMIT),
    RUNNEL_LIMIT_IP_REQUESTS_PER_MINUTE: String(IP_LIMIT),
    RUNNEL_LIMIT_IP_CONCURRENT_STREAMS: '20',
    RUNNEL_METRICS_TOKEN: METRICS_TOKEN,
  };
  instances.push(
    ...(await Promise.all(
      // Listening on loopback only, each says where the other reaches it (to hand a resumed reply over).
      E2E.proxiedPorts.map((port, i) => nextStart(port, { ...E2E.serverEnv(`proxied-${i}`), ...env, RUNNEL_INSTANCE_URL: `http://127.0.0.1:${port}` })),
    )),
  );
  nginx = await startNginx({ port: E2E.nginxPort, upstreams: E2E.proxiedPorts.map((port) => `127.0.0.1:${port}`) });
  published = await startTcpProxy({ host: "127.0.0.1", port: E2E.nginxPort });
});

test.afterAll(async () => {
  await published?.stop();
  await nginx?.stop();
  await Promise.all(instances.map((instance) => instance.stop()));
  await redis?.cleanUp();
  await database?.drop();
});

test.beforeEach(({}, testInfo) => {
  // Only on a laptop without the services: in CI (CI=true) their absence already failed beforeAll.
  testInfo.skip(!database || !redis, 'needs PostgreSQL and Redis on 127.0.0.1 (required in CI)');
});

/** Each test's clients come from loopback addresses of their own, so per-IP limits are theirs. */
let nextAddress = 10;
const freshAddress = () => `127.0.0.${nextAddress++}`;

interface Streamed {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** When each read holding text arrived (epoch ms), and how many tokens it held. */
  arrivals: { at: number; tokens: number }[];
  cookie?: string;
}

const now = () => performance.timeOrigin + performance.now();
const tokensIn = (text: string) => text.match(/w\d+ /g)?.length ?? 0;

/** POSTs a chat request through nginx with node:http (headers exactly as given), reading as it arrives. */
function post(
  path: string,
  body: unknown,
  options: { from: string; headers?: Record<string, string>; port?: number; onFirstText?: (leave: () => void) => void },
): Promise<Streamed> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: options.port ?? E2E.nginxPort,
        path,
        method: 'POST',
        localAddress: options.from,
        headers: { 'content-type': 'application/json', ...options.headers },
      },
      (res) => {
        const result: Streamed = { status: res.statusCode!, headers: res.headers, body: '', arrivals: [], cookie: res.headers['set-cookie']?.[0]?.split(';')[0] };
        res.setEncoding('utf8');
        res.on('data', (text: string) => {
          result.body += text;
          const tokens = tokensIn(text);
          if (tokens > 0) {
            result.arrivals.push({ at: now(), tokens });
            if (result.arrivals.length === 1) options.onFirstText?.(() => req.destroy());
          }
        });
        res.on('end', () => resolve(result));
        res.on('close', () => resolve(result));
      },
    );
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    req.end(JSON.stringify(body));
  });
}

const chat = (text: string, id = uniqueId('proxied'), trigger = 'submit-message') => ({
  id,
  trigger,
  messages: [{ id: uniqueId('u'), role: 'user', parts: [{ type: 'text', text }] }],
});

test('the stream is not buffered: tokens arrive spaced as the model sent them, with and without gzip, never compressed', async () => {
  for (const acceptEncoding of ['gzip, deflate, br', undefined]) {
    const tag = uniqueId('spacing');
    const headers: Record<string, string> = acceptEncoding ? { 'accept-encoding': acceptEncoding } : {};
    const streamed = await post('/api/chat', chat(`[[fake id=${tag} tokens=50 delay=20]]`), { from: freshAddress(), headers });
    expect(streamed.status).toBe(200);
    expect(streamed.headers['content-encoding']).toBeUndefined();
    expect(streamed.headers['content-type']).toBe('text/event-stream');
    expect(tokensIn(streamed.body)).toBe(50);
    const record = await fakeRecord(tag);
    const first = streamed.arrivals[0]!.at;
    const last = streamed.arrivals.at(-1)!.at;
    // The first token is here long before the model has finished...
    expect(first).toBeLessThan(record!.completedAt! - 500);
    // ...and the 50 tokens, 20 ms apart upstream, arrive spread over about a second, not in a burst.
    expect(last - first).toBeGreaterThan(800);
    expect(streamed.arrivals.length).toBeGreaterThan(25);
    expect(Math.max(...streamed.arrivals.map((a) => a.tokens))).toBeLessThanOrEqual(5);
  }
});

test('pages and scripts are compressed by the proxy path; the stream alone is not', async () => {
  const page = await fetch(nginxUrl, { headers: { 'accept-encoding': 'gzip' } });
  expect(page.status).toBe(200);
  expect(page.headers.get('content-encoding')).toBe('gzip');
});

test('Stop (the client leaving) closes the upstream request within 10 ms, through nginx', async () => {
  // Five stops, each after the last one's accounting has settled; the median is asserted (one
  // sample on a shared 2-core machine measures its neighbours), and all are printed.
  const latencies: number[] = [];
  for (let i = 0; i < 5; i++) {
    const tag = uniqueId('proxied-stop');
    let leftAt = 0;
    await post('/api/chat', chat(`[[fake id=${tag} tokens=100000 delay=5]]`), {
      from: freshAddress(),
      onFirstText: (leave) => {
        leftAt = now();
        leave();
      },
    });
    await expect.poll(async () => (await fakeRecord(tag))?.disconnectedAt, { timeout: 5000 }).toBeGreaterThan(0);
    latencies.push((await fakeRecord(tag))!.disconnectedAt! - leftAt);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  const sorted = [...latencies].sort((x, y) => x - y);
  console.log(`[nginx] client left → upstream closed: ${latencies.map((ms) => ms.toFixed(2)).join(', ')} ms`);
  expect(sorted[2]).toBeLessThan(10);
});

test('a conversation started on one instance opens, continues and regenerates on the other; through nginx both instances serve', async () => {
  const [a, b] = instanceUrls as [string, string];
  const id = uniqueId('cross');
  const question = { id: uniqueId('u'), role: 'user', parts: [{ type: 'text', text: 'first [[fake tokens=3]]' }] };
  // Straight to each instance, from an address of this test's own (the browser test's is 127.0.0.1).
  const from = freshAddress();
  const first = await post('/api/chat', { id, trigger: 'submit-message', messages: [question] }, { from, port: E2E.proxiedPorts[0] });
  expect(first.status).toBe(200);
  const cookie = first.cookie!;
  const startEvent = first.body.split('\n').find((line) => line.startsWith('data: '))!;
  const answerId = (JSON.parse(startEvent.slice('data: '.length)) as { messageId: string }).messageId;
  const opened = await fetch(`${b}/api/conversations/${id}`, { headers: { cookie } });
  expect(opened.status).toBe(200);
  expect(JSON.stringify(await opened.json())).toContain('first [[fake tokens=3]]');

  // As the AI SDK sends it: the history so far, then the new message (or, to regenerate, the last one again).
  const followUp = { id: uniqueId('u'), role: 'user', parts: [{ type: 'text', text: 'second [[fake tokens=2]]' }] };
  const history = [question, { id: answerId, role: 'assistant', parts: [{ type: 'text', text: 'w0 w1 w2 ' }] }, followUp];
  const onB = { from, port: E2E.proxiedPorts[1], headers: { cookie } };
  expect((await post('/api/chat', { id, trigger: 'submit-message', messages: history }, onB)).status).toBe(200);
  expect((await post('/api/chat', { id, trigger: 'regenerate-message', messages: history }, onB)).status).toBe(200);
  const stored = (await (await fetch(`${a}/api/conversations/${id}`, { headers: { cookie } })).json()) as { messages: { role: string }[] };
  expect(stored.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  expect(JSON.stringify(stored)).toContain('second [[fake tokens=2]]');

  // Through nginx, requests go to both instances (round robin): each has served streams.
  const served = await Promise.all(
    instanceUrls.map(async (url) => {
      const text = await (await fetch(`${url}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
      return [...text.matchAll(/^runnel_stream_duration_seconds_count\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    }),
  );
  expect(served.every((count) => count > 0), `streams per instance: ${served.join(', ')}`).toBe(true);
});

test('one limit across both instances, and per-IP limits see each client\u2019s own address (nginx\u2019s $remote_addr)', async () => {
  // Per identity: the fifth request this minute is refused, whichever instance nginx picks.
  const from = freshAddress();
  const firstReply = await post('/api/chat', chat('[[fake tokens=1]]'), { from: freshAddress() });
  const cookie = firstReply.cookie!;
  const statuses = [firstReply.status];
  for (let i = 0; i < IDENTITY_LIMIT; i++) statuses.push((await post('/api/chat', chat('[[fake tokens=1]]'), { from: freshAddress(), headers: { cookie } })).status);
  expect(statuses).toEqual([200, 200, 200, 200, 429]);

  // Per IP: three a minute from 127.0.0.2, whatever X-Forwarded-For it claims; 127.0.0.3 is apart.
  const fromIp = async (address: string, forged?: string) => {
    const result = await post('/api/chat', chat('[[fake tokens=1]]'), { from: address, headers: forged ? { 'x-forwarded-for': forged } : {} });
    return result.status === 429 ? `429 ${JSON.parse(result.body).error.scope}` : String(result.status);
  };
  const two = [await fromIp(from), await fromIp(from, '10.9.9.9'), await fromIp(from), await fromIp(from, '10.9.9.9')];
  expect(two).toEqual(['200', '200', '200', '429 ip']);
  expect(await fromIp(freshAddress())).toBe('200');
});

test('a browser uses the app through nginx only, on a port other than 80, and through a published port as compose maps it', async ({ page }) => {
  for (const url of [nginxUrl, `http://127.0.0.1:${published!.port}`]) {
    await page.goto(url);
    await sendMessage(page, 'Through the proxy [[fake tokens=6 delay=20]]');
    await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done');
    await expect(lastAssistant(page)).toContainText('w5');
    // The conversation opens again through the proxy, wherever nginx sends the request.
    await page.reload();
    await expect(page.locator('[data-role="user"]').last()).toContainText('Through the proxy');
    await expect(lastAssistant(page)).toContainText('w5');
  }
});

test('closing the tab closes the upstream request, through nginx', async ({ browser }) => {
  const tag = uniqueId('proxied-close');
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(nginxUrl);
  await sendMessage(page, `[[fake id=${tag} tokens=100000 delay=10]]`);
  await expect(lastAssistant(page)).toContainText('w3');
  await page.close();
  await expect.poll(async () => (await fakeRecord(tag))?.disconnectedAt, { timeout: 5000 }).toBeGreaterThan(0);
  await context.close();
});

test('an answer dropped five times resumes through nginx on whichever instance each reconnect lands on: exactly the model\'s text, asked for once', async () => {
  const from = freshAddress();
  const tag = uniqueId('nginx-resume');
  const scenario = `[[fake id=${tag} tokens=200 delay=10]]`;
  const conversation = chat(scenario);
  const chunks: UIMessageChunk[] = [];
  let lastEventId: string | undefined;
  let cookie = '';
  /** One request on a connection of its own from this test's address; reads `batches` reads, then drops it. */
  const readSome = async (path: string, init: { method?: string; headers: Record<string, string>; body?: string }, batches: number) => {
    const dispatcher = new Agent({ localAddress: from });
    const response = await fetch(`${nginxUrl}${path}`, { ...init, dispatcher });
    expect(response.status).toBe(200);
    cookie ||= response.headers.get('set-cookie')!.split(';')[0]!;
    let read = 0;
    for await (const batch of readUIMessageChunks(response.body as ReadableStream<Uint8Array>)) {
      chunks.push(...batch.chunks);
      lastEventId = batch.lastEventId ?? lastEventId;
      if (++read === batches) break;
    }
    await dispatcher.destroy();
  };
  await readSome('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json', 'x-runnel-request-id': uniqueId('req') }, body: JSON.stringify(conversation) }, 2);
  const messageId = (chunks[0] as { messageId: string }).messageId;
  // nginx sends each request to the next instance: the reconnects alternate between owner and not.
  for (let drop = 0; drop < 5; drop++) {
    await readSome(`/api/chat/${conversation.id}/stream?message=${messageId}`, { headers: { cookie, 'last-event-id': lastEventId! } }, 2);
  }
  await readSome(`/api/chat/${conversation.id}/stream?message=${messageId}`, { headers: { cookie, 'last-event-id': lastEventId! } }, Infinity);
  expect(chunks.filter((chunk) => chunk.type === 'start')).toHaveLength(1);
  expect(chunks.at(-1)?.type).toBe('finish');
  expect(chunks.flatMap((chunk) => (chunk.type === 'text-delta' ? [chunk.delta] : [])).join('')).toBe(expectedText(parseScenario(scenario)));
  expect((await fakeRecord(tag))?.requests).toBe(1);
});
