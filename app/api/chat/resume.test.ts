import { messageText } from '@/lib/chat/message';
import { beforeEach, describe, expect, test } from 'vitest';
import { expectedText, parseScenario } from '@/e2e/fake-upstream/scenario';
import { asc, eq } from 'drizzle-orm';
import { getDatabase } from '@/lib/db';
import { messages } from '@/lib/db/schema';
import {
  chatBody,
  chatRequest,
  cookieOf,
  letEarlierRepliesSettle,
  medianLatency,
  newResumeState,
  randomId,
  readInto,
  rebuiltText,
  resumeRequest,
} from '@/lib/testing/chat-client';
import { routeTestEnvironment } from '@/lib/testing/route-environment';
import { waitUntil } from '@/lib/testing/wait-for';
import { POST } from './route';
import { GET as RESUME } from './[id]/stream/route';
import { POST as STOP } from './[id]/stop/route';

const env = routeTestEnvironment('resume');
const configure = (vars: Record<string, string | undefined>) =>
  env.configure({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: env.fake.url, OPENAI_MODEL: 'fake-model', RUNNEL_HEARTBEAT_MS: '60000', ...vars });
beforeEach(() => configure({}));

const now = () => performance.timeOrigin + performance.now();
const params = (id: string) => ({ params: Promise.resolve({ id }) });

/** Starts a reply as Runnel's hook does (opted in to resume), or as a plain client. */
async function start(scenario: string, options: { resumable?: boolean; signal?: AbortSignal } = {}) {
  const body = chatBody(`Go ${scenario}`);
  const requestId = randomId('req');
  const headers: Record<string, string> = options.resumable === false ? {} : { 'x-runnel-request-id': requestId };
  const response = await POST(chatRequest(body, { headers, signal: options.signal }));
  expect(response.status).toBe(200);
  return { response, conversationId: body.id, cookie: cookieOf(response), requestId };
}

const stopRequest = (conversationId: string, cookie: string, body: unknown) =>
  new Request(`http://127.0.0.1/api/chat/${conversationId}/stop`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function storedReply(conversationId: string) {
  const db = await getDatabase();
  const rows = await db.select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(asc(messages.createdAt));
  return rows.findLast((m) => m.role === 'assistant');
}

describe('a resumable reply (the client sent X-Runnel-Request-Id)', () => {
  beforeEach(letEarlierRepliesSettle);

  test('goes on when its connection is lost, and a reconnect with Last-Event-ID gets exactly the rest', async () => {
    const scenario = '[[fake id=resume-rest tokens=300 delay=2 text=unicode]]';
    const client = new AbortController();
    const { response, conversationId, cookie } = await start(scenario, { signal: client.signal });
    expect(response.headers.get('x-runnel-resume-grace-ms')).toBe('30000');
    const state = newResumeState();
    await readInto(response, state, 3);
    client.abort();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await env.fake.record('resume-rest'))?.disconnectedAt).toBeUndefined();

    const again = await RESUME(resumeRequest(conversationId, cookie, { lastEventId: state.lastEventId }), params(conversationId));
    expect(again.status).toBe(200);
    const before = state.chunks.length;
    await readInto(again, state);
    expect(state.chunks.slice(before).some((chunk) => chunk.type === 'start')).toBe(false);
    expect(rebuiltText(state.chunks)).toBe(expectedText(parseScenario(scenario)));
    expect(state.chunks.at(-1)?.type).toBe('finish');
    expect((await env.fake.record('resume-rest'))?.completedAt).toBeDefined();
  });

  test('a reader without Last-Event-ID (a reload, a second tab) gets it from the start, then live', async () => {
    const scenario = '[[fake id=resume-tab tokens=200 delay=2]]';
    const { response, conversationId, cookie } = await start(scenario);
    const first = newResumeState();
    const firstDone = readInto(response, first);
    await waitUntil(() => first.chunks.length > 5);
    const second = newResumeState();
    await readInto(await RESUME(resumeRequest(conversationId, cookie), params(conversationId)), second);
    await firstDone;
    expect(second.chunks[0]?.type).toBe('start');
    expect(rebuiltText(second.chunks)).toBe(expectedText(parseScenario(scenario)));
    expect(rebuiltText(first.chunks)).toBe(rebuiltText(second.chunks));
  });

  test('with no reader back within the grace window, the upstream is cancelled at its end and the reply saved as stopped, with usage', async () => {
    configure({ RUNNEL_RESUME_GRACE_MS: '400' });
    const { response, conversationId } = await start('[[fake id=resume-grace tokens=100000 delay=5]]');
    await readInto(response, newResumeState(), 2);
    const lostAt = now();
    const record = await env.fake.waitForDisconnect('resume-grace', 3000);
    expect(record.disconnectedAt! - lostAt).toBeGreaterThan(400 - 100);
    expect(record.disconnectedAt! - lostAt).toBeLessThan(400 + 100);
    await waitUntil(async () => (await storedReply(conversationId))?.status === 'stopped');
    const reply = await storedReply(conversationId);
    expect(reply?.usage?.outputTokens).toBeGreaterThan(0);
    expect(reply && messageText(reply)).toMatch(/^w0 w1 w2 /);
  });

  test('a stop request while the connection is lost cancels the upstream at once', async () => {
    const latency = await medianLatency(async (run) => {
      const { response, conversationId, cookie, requestId } = await start(`[[fake id=resume-stop-${run} tokens=100000 delay=5]]`);
      await readInto(response, newResumeState(), 2);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const stoppedAt = now();
      const answer = await STOP(stopRequest(conversationId, cookie, { requestId }), params(conversationId));
      expect(await answer.json()).toEqual({ stopped: true });
      const record = await env.fake.waitForDisconnect(`resume-stop-${run}`);
      await waitUntil(async () => (await storedReply(conversationId))?.status === 'stopped');
      return record.disconnectedAt! - stoppedAt;
    });
    expect(latency).toBeLessThan(10);
  });

  test('a stop that overtakes its own request stops the reply as soon as it starts', async () => {
    const body = chatBody('Go [[fake id=resume-early tokens=100000 delay=5]]');
    const requestId = randomId('req');
    const first = await POST(chatRequest(chatBody('hello [[fake tokens=1]]')));
    const cookie = cookieOf(first);
    await first.text();
    // The conversation does not exist yet: not found, but the stop is remembered.
    expect((await STOP(stopRequest(body.id, cookie, { requestId }), params(body.id))).status).toBe(404);
    const response = await POST(chatRequest(body, { headers: { 'x-runnel-request-id': requestId, cookie } }));
    expect(response.status).toBe(499);
    // Cancelled before it was sent: not a token spent.
    expect(await env.fake.record('resume-early')).toBeUndefined();
  });

  test('its limit slot is held while its connection is lost, and given back when it is stopped', async () => {
    configure({ RUNNEL_LIMIT_CONCURRENT_STREAMS: '1' });
    const { response, conversationId, cookie, requestId } = await start('[[fake id=resume-slot tokens=100000 delay=5]]');
    await readInto(response, newResumeState(), 2);
    const second = () => POST(chatRequest(chatBody('again [[fake tokens=2]]'), { headers: { cookie } }));
    const refused = await second();
    expect(refused.status).toBe(429);
    expect((await refused.json()).error.limit).toBe('concurrent_streams');
    await STOP(stopRequest(conversationId, cookie, { requestId }), params(conversationId));
    await waitUntil(async () => {
      const next = await second();
      await next.body?.cancel();
      return next.status === 200;
    });
  });

  test('a reader that comes back after the reply ended gets the rest from memory, then from storage', async () => {
    const scenario = '[[fake id=resume-late tokens=50 delay=2]]';
    const { response, conversationId, cookie } = await start(scenario);
    const state = newResumeState();
    await readInto(response, state, 2);
    await env.fake.waitForRecord('resume-late');
    await waitUntil(async () => (await storedReply(conversationId))?.status === 'done');
    const messageId = state.chunks[0]?.type === 'start' ? state.chunks[0].messageId : undefined;
    const rest = newResumeState();
    await readInto(await RESUME(resumeRequest(conversationId, cookie, { lastEventId: state.lastEventId, messageId }), params(conversationId)), rest);
    expect(rebuiltText([...state.chunks, ...rest.chunks])).toBe(expectedText(parseScenario(scenario)));
  });
});

describe('the resume endpoint', () => {
  test('answers 204 when nothing is being generated, and 404 for a conversation that is not yours', async () => {
    const { response, conversationId, cookie } = await start('[[fake tokens=3]]');
    await response.text();
    await waitUntil(async () => (await storedReply(conversationId))?.status === 'done');
    await new Promise((resolve) => setTimeout(resolve, 10));
    const stranger = cookieOf(await POST(chatRequest(chatBody('hi [[fake tokens=1]]'))));
    expect((await RESUME(resumeRequest(conversationId, stranger), params(conversationId))).status).toBe(404);
    expect((await RESUME(resumeRequest(conversationId, ''), params(conversationId))).status).toBe(404);
    expect((await STOP(stopRequest(conversationId, stranger, {}), params(conversationId))).status).toBe(404);
    expect((await RESUME(resumeRequest('no-such-conversation', cookie), params('no-such-conversation'))).status).toBe(404);
    const bad = await RESUME(resumeRequest(conversationId, cookie, { lastEventId: 'abc' }), params(conversationId));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toContain('Last-Event-ID');
  });

  test('a reader of another identity cannot read a reply in progress', async () => {
    const { response, conversationId, cookie } = await start('[[fake id=resume-private tokens=100000 delay=5]]');
    const stranger = cookieOf(await POST(chatRequest(chatBody('hi [[fake tokens=1]]'))));
    expect((await RESUME(resumeRequest(conversationId, stranger), params(conversationId))).status).toBe(404);
    await response.body!.cancel();
    expect((await STOP(stopRequest(conversationId, stranger, {}), params(conversationId))).status).toBe(404);
    expect((await env.fake.record('resume-private'))?.disconnectedAt).toBeUndefined();
    // Its owner can.
    expect(await (await STOP(stopRequest(conversationId, cookie, {}), params(conversationId))).json()).toEqual({ stopped: true });
    await env.fake.waitForDisconnect('resume-private');
  });
});

describe('a client that did not opt in keeps cancel-on-disconnect', () => {
  beforeEach(letEarlierRepliesSettle);

  test('its leaving closes the upstream within 10 ms, even with another reader attached', async () => {
    const latency = await medianLatency(async (run) => {
      const client = new AbortController();
      const { response, conversationId, cookie } = await start(`[[fake id=plain-leave-${run} tokens=100000 delay=5]]`, { resumable: false, signal: client.signal });
      expect(response.headers.get('x-runnel-resume-grace-ms')).toBeNull();
      const other = newResumeState();
      const otherDone = readInto(await RESUME(resumeRequest(conversationId, cookie), params(conversationId)), other);
      const reader = response.body!.getReader();
      await reader.read();
      const leftAt = now();
      client.abort();
      void reader.cancel();
      const record = await env.fake.waitForDisconnect(`plain-leave-${run}`);
      await otherDone;
      expect(other.chunks.at(-1)?.type).toBe('abort');
      return record.disconnectedAt! - leftAt;
    });
    expect(latency).toBeLessThan(10);
  });
});

test('a request id that is not a plain id is refused before anything starts', async () => {
  const response = await POST(chatRequest(chatBody('hi'), { headers: { 'x-runnel-request-id': 'bad id!' } }));
  expect(response.status).toBe(400);
  expect((await response.json()).error.message).toContain('x-runnel-request-id');
});
