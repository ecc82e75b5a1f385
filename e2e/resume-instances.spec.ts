import { expect, test } from '@playwright/test';
import type { UIMessageChunk } from 'ai';
import { Agent, fetch } from 'undici';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/postgres';
import { connectTestRedis, type TestRedis } from '@/lib/testing/redis';
import { readUIMessageChunks } from '@/lib/sse/reader';
import { startCuttingRelay } from './deploy/cutting-relay';
import { nextStart, type ServerProcess } from './deploy/server-process';
import { expectedText, parseScenario } from './fake-upstream/scenario';
import { fakeRecord, uniqueId } from './helpers';
import { E2E } from './ports';

/**
 * Two instances on one PostgreSQL and one Redis, as behind nginx: a reader that reconnects may
 * land on either, and still gets exactly the rest of its reply from the instance generating it.
 */
let database: TestDatabase | undefined;
let redis: TestRedis | undefined;
const servers: ServerProcess[] = [];
const [portA, portB] = E2E.resumePorts;
const urlA = `http://127.0.0.1:${portA}`;
const urlB = `http://127.0.0.1:${portB}`;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  [database, redis] = await Promise.all([createTestDatabase(), connectTestRedis()]);
  if (!database || !redis) return;
  for (const [i, port] of E2E.resumePorts.entries()) {
    const env = {
      ...E2E.serverEnv(`resume-${i}`),
      ...E2E.appModels,
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      RUNNEL_REDIS_PREFIX: redis.prefix,
      RUNNEL_INSTANCE_URL: `http://127.0.0.1:${port}`,
      RUNNEL_LIMIT_CONCURRENT_STREAMS: '0',
      RUNNEL_LIMIT_REQUESTS_PER_MINUTE: '0',
    };
    servers.push(await nextStart(port, env));
  }
});

test.afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await redis?.cleanUp();
  await database?.drop();
});

test.beforeEach(({}, testInfo) => {
  // Only on a laptop without the services: in CI (CI=true) their absence already failed beforeAll.
  testInfo.skip(!database || !redis, 'needs PostgreSQL and Redis on 127.0.0.1 (required in CI)');
});

/** A fresh TCP connection per request, so that each one is cut (or not) on its own. */
async function request(url: string, init: { method?: string; headers: Record<string, string>; body?: string }) {
  const dispatcher = new Agent({ connections: 1 });
  try {
    const response = await fetch(url, { ...init, dispatcher });
    return { response, close: () => dispatcher.destroy() };
  } catch (error) {
    await dispatcher.destroy();
    throw error;
  }
}

/** An identity of its own (a cookie), made directly on an instance. */
async function newIdentity(): Promise<string> {
  const { response, close } = await request(`${urlA}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody(uniqueId('hello'), '[[fake tokens=1]]') });
  const cookie = response.headers.get('set-cookie')!.split(';')[0]!;
  await response.text();
  await close();
  return cookie;
}

const chatBody = (conversationId: string, text: string) =>
  JSON.stringify({ id: conversationId, trigger: 'submit-message', messages: [{ id: 'q', role: 'user', parts: [{ type: 'text', text }] }] });

interface Reading {
  chunks: UIMessageChunk[];
  lastEventId?: string;
  messageId?: string;
  ended: boolean;
}

/** Reads one connection's events into `reading` until it ends or is cut. */
async function readConnection(body: ReadableStream<Uint8Array>, reading: Reading): Promise<void> {
  try {
    for await (const batch of readUIMessageChunks(body)) {
      for (const chunk of batch.chunks) {
        if (chunk.type === 'start') {
          // A replay of the whole message (this reader had none of it yet).
          reading.chunks = [];
          reading.messageId = chunk.messageId;
        }
        reading.chunks.push(chunk);
        if (chunk.type === 'finish' || chunk.type === 'error' || chunk.type === 'abort') reading.ended = true;
      }
      reading.lastEventId = batch.lastEventId ?? reading.lastEventId;
    }
  } catch {
    // Cut: keep what arrived, as a browser does.
  }
}

/** Asks for a reply through `base` and reconnects after every cut until the reply has ended. */
async function readThroughCuts(base: string, cookie: string, text: string) {
  const conversationId = uniqueId('cuts');
  const reading: Reading = { chunks: [], ended: false };
  let connections = 0;
  for (let first = true; !reading.ended; first = false) {
    if (++connections > 400) throw new Error('no end after 400 connections');
    const headers: Record<string, string> = { cookie };
    let url = `${base}/api/chat/${conversationId}/stream`;
    if (reading.messageId) url += `?message=${reading.messageId}`;
    if (reading.lastEventId) headers['last-event-id'] = reading.lastEventId;
    try {
      const { response, close } = first
        ? await request(`${base}/api/chat`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', 'x-runnel-request-id': uniqueId('req') }, body: chatBody(conversationId, text) })
        : await request(url, { headers });
      // Before the reply is registered (a POST cut in its headers), there is nothing to resume yet.
      if (response.status === 204 || response.status === 404) await new Promise((resolve) => setTimeout(resolve, 50));
      else if (response.body) await readConnection(response.body as ReadableStream<Uint8Array>, reading);
      await close();
    } catch {
      // Cut before the headers.
    }
  }
  return { reading, connections };
}

const rebuilt = (chunks: UIMessageChunk[]) => chunks.flatMap((chunk) => (chunk.type === 'text-delta' ? [chunk.delta] : [])).join('');

test('a reply read through a relay that cuts connections at random bytes, reconnecting to either instance: exact text, every time', async () => {
  test.setTimeout(180_000);
  const CUTS = 200;
  let planned = 0;
  // Cuts anywhere in the first 5 kB of each answer (headers, inside events, inside characters), until 200 were made.
  const relay = await startCuttingRelay([portA, portB], () => (planned++ < CUTS * 1.5 ? 100 + Math.floor(Math.random() * 5000) : Infinity));
  const cookie = await newIdentity();
  const results: { id: string; scenario: string; reading: Reading; connections: number }[] = [];
  try {
    for (let round = 0; relay.cuts.length < CUTS && round < 40; round++) {
      const batch = await Promise.all(
        [0, 1, 2, 3].map(async () => {
          const id = uniqueId('cut');
          const scenario = `[[fake id=${id} tokens=250 delay=2 text=unicode]]`;
          return { id, scenario, ...(await readThroughCuts(`http://127.0.0.1:${relay.port}`, cookie, `Cut me ${scenario}`)) };
        }),
      );
      results.push(...batch);
    }
  } finally {
    await relay.close();
  }
  for (const { id, scenario, reading } of results) {
    expect(rebuilt(reading.chunks), id).toBe(expectedText(parseScenario(scenario)));
    const types = reading.chunks.map((chunk) => chunk.type);
    expect(types.filter((type) => type === 'finish'), id).toHaveLength(1);
    expect(new Set(reading.chunks.flatMap((chunk) => (chunk.type === 'text-start' ? [chunk.id] : []))).size, id).toBe(types.filter((type) => type === 'text-start').length);
    expect((await fakeRecord(id))?.requests, id).toBe(1);
  }
  const cuts = relay.cuts;
  const figures = {
    answers: results.length,
    connections: results.reduce((sum, result) => sum + result.connections, 0),
    cuts: cuts.length,
    insideCharacter: cuts.filter((cut) => cut.insideCharacter).length,
    insideEvent: cuts.filter((cut) => cut.insideEvent).length,
  };
  console.log(`[resume] cut test: ${JSON.stringify(figures)}`);
  expect(figures.cuts).toBeGreaterThanOrEqual(CUTS);
  expect(figures.insideCharacter).toBeGreaterThan(0);
  expect(figures.insideEvent).toBeGreaterThan(0);
});

test('dropped on instance A, resumed on instance B with Last-Event-ID: exactly the rest', async () => {
  const cookie = await newIdentity();
  const id = uniqueId('a-to-b');
  const scenario = `[[fake id=${id} tokens=300 delay=5]]`;
  const conversationId = uniqueId('handoff');
  const reading: Reading = { chunks: [], ended: false };
  const first = await request(`${urlA}/api/chat`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', 'x-runnel-request-id': uniqueId('req') }, body: chatBody(conversationId, scenario) });
  const reader = readUIMessageChunks(first.response.body as ReadableStream<Uint8Array>);
  for (let i = 0; i < 3; i++) {
    const { value } = await reader.next();
    reading.chunks.push(...value!.chunks);
    reading.lastEventId = value!.lastEventId;
  }
  reading.messageId = (reading.chunks[0] as { messageId?: string }).messageId;
  await first.close();

  const again = await request(`${urlB}/api/chat/${conversationId}/stream?message=${reading.messageId}`, { headers: { cookie, 'last-event-id': reading.lastEventId! } });
  expect(again.response.status).toBe(200);
  await readConnection(again.response.body as ReadableStream<Uint8Array>, reading);
  await again.close();
  expect(rebuilt(reading.chunks)).toBe(expectedText(parseScenario(scenario)));
  expect((await fakeRecord(id))?.requests).toBe(1);
});

test('instance A killed mid-answer: the reconnect on B gets the saved text, marked interrupted, with a message, at once', async () => {
  const cookie = await newIdentity();
  const conversationId = uniqueId('killed');
  const first = await request(`${urlA}/api/chat`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json', 'x-runnel-request-id': uniqueId('req') },
    body: chatBody(conversationId, `[[fake id=${uniqueId('killed')} tokens=100000 delay=10]]`),
  });
  const reading: Reading = { chunks: [], ended: false };
  const reader = readUIMessageChunks(first.response.body as ReadableStream<Uint8Array>);
  // Past the first save (once a second).
  for (const startedAt = Date.now(); Date.now() - startedAt < 1500; ) {
    const { value } = await reader.next();
    reading.chunks.push(...value!.chunks);
    reading.lastEventId = value!.lastEventId;
  }
  const messageId = (reading.chunks[0] as { messageId?: string }).messageId!;
  await servers[0]!.stop();
  await first.close();

  const askedAt = Date.now();
  const again = await request(`${urlB}/api/chat/${conversationId}/stream?message=${messageId}`, { headers: { cookie, 'last-event-id': reading.lastEventId! } });
  expect(again.response.status).toBe(200);
  const saved: Reading = { chunks: [], ended: false };
  await readConnection(again.response.body as ReadableStream<Uint8Array>, saved);
  await again.close();
  expect(Date.now() - askedAt).toBeLessThan(5000);
  expect(saved.chunks[0]).toMatchObject({ type: 'start', messageId });
  expect(rebuilt(saved.chunks)).toMatch(/^w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 /);
  expect(rebuilt(reading.chunks).startsWith(rebuilt(saved.chunks).slice(0, 50))).toBe(true);
  expect(saved.chunks.at(-1)).toMatchObject({ type: 'error', errorText: expect.stringContaining('saved up to here') });
  const page = await request(`${urlB}/c/${conversationId}`, { headers: { cookie } });
  expect(await page.response.text()).toContain('data-status="interrupted"');
  await page.close();
});
