import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sql } from 'drizzle-orm';
import { beforeEach, expect, test } from 'vitest';
import type { RequestRecord } from '@/e2e/fake-upstream/server';
import { getConfig } from '@/lib/config';
import { getDatabase } from '@/lib/db';
import { queryRows } from '@/lib/db/database';
import { generationsInFlight, pendingAfterWork } from '@/lib/lifecycle/work';
import { slotsInUse } from '@/lib/limits/limits';
import { metrics } from '@/lib/metrics/registry';
import { chatBody, chatRequest } from '@/lib/testing/chat-client';
import { routeTestEnvironment } from '@/lib/testing/route-environment';
import { waitFor } from '@/lib/testing/wait-for';
import { POST } from './route';

/**
 * 2000 streams, 200 at a time, each abandoned at a random moment: before the request is made,
 * as the headers arrive, mid-answer, or just as the answer ends (its final save under way).
 * Afterwards nothing may be left: upstream connections, streaming rows, active streams, limit
 * slots, memory.
 */
const STREAMS = 2000;
const AT_ONCE = 200;
const IP = '192.0.2.99';
const env = routeTestEnvironment('abort-storm');
beforeEach(() =>
  env.configure({
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: env.fake.url,
    OPENAI_MODEL: 'fake-model',
    // Each stream is a new browser: per-identity limit state (kept for its window, up to a day)
    // would grow with them by design. Limits are checked per IP, whose slots must all come back.
    RUNNEL_LIMIT_REQUESTS_PER_MINUTE: '0',
    RUNNEL_LIMIT_CONCURRENT_STREAMS: '0',
    RUNNEL_LIMIT_TOKENS_PER_DAY: '0',
    RUNNEL_LIMIT_IP_REQUESTS_PER_MINUTE: '0',
    RUNNEL_LIMIT_IP_CONCURRENT_STREAMS: String(AT_ONCE * 2),
  }),
);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

type Moment = 'before-request' | 'at-headers' | 'mid-answer' | 'at-the-end';
const MOMENTS: Moment[] = ['before-request', 'at-headers', 'mid-answer', 'at-the-end'];

async function abandon(i: number, moment: Moment): Promise<void> {
  const controller = new AbortController();
  const body = chatBody(`[[fake id=storm-${i} tokens=${moment === 'at-the-end' ? 3 : 40} delay=${moment === 'at-the-end' ? 0 : 3}]]`);
  if (moment === 'before-request') controller.abort();
  const response = await POST(chatRequest(body, { signal: controller.signal, headers: { 'x-forwarded-for': IP } }));
  if (moment === 'at-headers' || !response.body) {
    controller.abort();
    await response.body?.cancel().catch(() => {});
    return;
  }
  const reader = response.body.getReader();
  // Mid-answer: after one to four reads. At the end: once the last chunk is in, before [DONE] is read.
  for (let reads = moment === 'mid-answer' ? 1 + (i % 4) : Infinity; reads > 0; reads--) {
    const { done, value } = await reader.read();
    if (done || (moment === 'at-the-end' && new TextDecoder().decode(value).includes('"finish"'))) break;
  }
  controller.abort();
  await reader.cancel().catch(() => {});
}

/** `count` streams abandoned at random moments, AT_ONCE at a time; resolves when all their work is done. */
async function storm(count: number, firstId: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) await abandon(firstId + i, MOMENTS[Math.floor(Math.random() * MOMENTS.length)]!);
  };
  await Promise.all(Array.from({ length: AT_ONCE }, worker));
  await waitFor(async () => (generationsInFlight().length === 0 ? true : undefined), 20_000);
  await Promise.all(pendingAfterWork());
}

test(`an abort storm (${STREAMS} streams, ${AT_ONCE} at a time, abandoned at random moments) leaves nothing behind`, async () => {
  // A first storm of the same size warms up what grows once (the embedded database's memory,
  // compiled code, pools, the tokenizer); the second is measured from where the first left off.
  await storm(STREAMS, 1_000_000);
  const heapBefore = heapAfterGc();
  const rssBefore = process.memoryUsage().rss;

  await storm(STREAMS, 0);
  const records = (await (await fetch(env.fake.url.replace(/\/v1$/, '/__fake/requests'))).json()) as RequestRecord[];
  const stormRecords = records.filter((r) => r.id.startsWith('storm-'));
  expect(stormRecords.length).toBeGreaterThan(STREAMS / 2);
  expect(stormRecords.filter((r) => r.completedAt === undefined && r.disconnectedAt === undefined).map((r) => r.id)).toEqual([]);
  const db = await getDatabase();
  expect(Number((await queryRows<{ n: string }>(db, sql`select count(*) as n from messages where status = 'streaming'`))[0]!.n)).toBe(0);
  const active = (await metrics().activeStreams.get()).values.reduce((sum, value) => sum + value.value, 0);
  expect(active).toBe(0);
  expect(await slotsInUse(getConfig(), 'ip', IP)).toBe(0);

  const heapAfter = heapAfterGc();
  const rssAfter = process.memoryUsage().rss;
  console.log(`[abort storm] heap after GC ${(heapBefore / 2 ** 20).toFixed(1)} → ${(heapAfter / 2 ** 20).toFixed(1)} MB; RSS ${(rssBefore / 2 ** 20).toFixed(0)} → ${(rssAfter / 2 ** 20).toFixed(0)} MB`);
  // The process's memory is back within 10% of where the storm started (the heap, after a GC, is printed too).
  expect(rssAfter).toBeLessThan(rssBefore * 1.1);
}, 180_000);
