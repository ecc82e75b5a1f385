/**
 * `npm run soak -- --minutes 10 [--concurrency 200]`: mixed traffic against `next start` on
 * PostgreSQL and Redis, at a steady concurrency, printing a row a minute: requests by outcome,
 * 5xx (must stay 0), time to first token, server memory, event-loop delay, open upstream
 * connections; then the memory slope after warm-up. A script, not a test: loopback only, it stops
 * by itself.
 */
import { request } from 'node:http';
import { parseArgs } from 'node:util';
import { createTestDatabase } from '@/lib/testing/postgres';
import { connectTestRedis } from '@/lib/testing/redis';
import { startServerProcess } from '../deploy/server-process';
import { benchAppEnv, startProcess, usage } from './processes';
import { percentile } from './stream-client';

const FAKE_PORT = 4510;
const APP_PORT = 3510;
const METRICS_TOKEN = 'soak-metrics-token-0123456789';
const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, concurrency: { type: 'string', default: '200' } } });
const MINUTES = Number(values.minutes);
const CONCURRENCY = Number(values.concurrency);

type Kind = 'finish' | 'stop' | 'drop' | 'limit' | 'bad';
type Outcome = 'finished' | 'stopped' | 'dropped' | 'limited' | 'refused' | '5xx' | 'failed';
const KINDS: [Kind, number][] = [['finish', 50], ['stop', 20], ['drop', 10], ['limit', 10], ['bad', 10]];
const BAD_BODIES = ['{', '{"id":"x"}', JSON.stringify({ id: 'x\u0000', trigger: 'submit-message', messages: [] }), 'null', JSON.stringify({ id: 'bad', messages: [{ id: 'u', role: 'user', parts: [{ type: 'text', text: 'x'.repeat(200_000) }] }] })];

let conversation = 0;
const chatBody = (text: string) => JSON.stringify({ id: `soak-${process.pid}-${++conversation}`, trigger: 'submit-message', messages: [{ id: 'u', role: 'user', parts: [{ type: 'text', text }] }] });

function pick(): Kind {
  let roll = Math.random() * 100;
  for (const [kind, weight] of KINDS) if ((roll -= weight) < 0) return kind;
  return 'finish';
}

/** One request of a kind, as a client would make it; resolves with what the client saw. */
function send(kind: Kind, greedyCookie: string): Promise<{ outcome: Outcome; firstTokenMs?: number }> {
  const body =
    kind === 'bad' ? BAD_BODIES[Math.floor(Math.random() * BAD_BODIES.length)]! : chatBody(kind === 'drop' ? '[[fake tokens=60 delay=20 drop=20]]' : '[[fake tokens=60 delay=20]]');
  const headers: Record<string, string> = { 'content-type': 'application/json', 'accept-encoding': 'gzip' };
  if (kind === 'limit') headers.cookie = greedyCookie;
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: APP_PORT, path: '/api/chat', method: 'POST', headers }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 400) {
        res.resume();
        return resolve({ outcome: status >= 500 ? '5xx' : status === 429 ? 'limited' : 'refused' });
      }
      let firstTokenMs: number | undefined;
      let text = '';
      let reads = 0;
      const stopAfter = kind === 'stop' ? 2 + Math.floor(Math.random() * 20) : Infinity;
      res.setEncoding('utf8');
      res.on('data', (piece: string) => {
        text += piece.slice(-200);
        if (firstTokenMs === undefined && piece.includes('text-delta')) firstTokenMs = performance.now() - started;
        if (++reads >= stopAfter) {
          req.destroy();
          resolve({ outcome: 'stopped', firstTokenMs });
        }
      });
      res.on('end', () => resolve({ outcome: text.includes('"finish"') ? 'finished' : text.includes('"error"') ? 'dropped' : 'failed', firstTokenMs }));
      res.on('error', () => resolve({ outcome: kind === 'stop' ? 'stopped' : 'failed', firstTokenMs }));
    });
    req.setTimeout(60_000, () => req.destroy());
    req.on('error', () => resolve({ outcome: kind === 'stop' ? 'stopped' : 'failed' }));
    req.end(body);
  });
}

async function scrape(): Promise<{ activeStreams: number; eventLoopP99Ms: number }> {
  const text = await (await fetch(`http://127.0.0.1:${APP_PORT}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const sum = (name: string) => [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+-]+)$`, 'gm'))].reduce((total, m) => total + Number(m[1]), 0);
  return { activeStreams: sum('runnel_active_streams'), eventLoopP99Ms: sum('runnel_nodejs_eventloop_lag_p99_seconds') * 1000 };
}

async function openUpstreamConnections(): Promise<number> {
  const records = (await (await fetch(`http://127.0.0.1:${FAKE_PORT}/__fake/requests`)).json()) as { completedAt?: number; disconnectedAt?: number }[];
  return records.filter((r) => r.completedAt === undefined && r.disconnectedAt === undefined).length;
}

async function main() {
  const [database, redis] = await Promise.all([createTestDatabase(), connectTestRedis()]);
  if (!database || !redis) throw new Error('the soak needs PostgreSQL and Redis on 127.0.0.1');
  await startProcess('taskset', ['-c', '1', process.execPath, '--import', 'tsx', 'e2e/fake-upstream/cli.ts', '--port', String(FAKE_PORT)], {}, `http://127.0.0.1:${FAKE_PORT}/v1/models`);
  const server = await startServerProcess({
    command: 'taskset',
    args: ['-c', '0', process.execPath, 'node_modules/next/dist/bin/next', 'start', '--keepAliveTimeout', '65000', '--port', String(APP_PORT), '--hostname', '127.0.0.1'],
    env: { ...benchAppEnv(FAKE_PORT), DATABASE_URL: database.url, REDIS_URL: redis.url, RUNNEL_REDIS_PREFIX: redis.prefix, RUNNEL_METRICS_TOKEN: METRICS_TOKEN, RUNNEL_LIMIT_REQUESTS_PER_MINUTE: '30' },
    url: `http://127.0.0.1:${APP_PORT}`,
  });
  try {
    const greedy = await fetch(`http://127.0.0.1:${APP_PORT}/`);
    const greedyCookie = greedy.headers.get('set-cookie')!.split(';')[0]!;
    console.log(`Runnel soak — ${new Date().toISOString()}, ${MINUTES} min at ${CONCURRENCY} concurrent requests, next start on PostgreSQL + Redis, node ${process.version}\n`);
    console.log('| minute | finished | stopped | dropped | limited (429) | bad input (4xx) | 5xx | failed | TTFT p50 / p99 ms | server RSS MB | event loop p99 ms | active streams | open upstream |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    const endAt = performance.now() + MINUTES * 60_000;
    let minute: { outcomes: Map<Outcome, number>; ttft: number[] } = { outcomes: new Map(), ttft: [] };
    const worker = async () => {
      while (performance.now() < endAt) {
        const result = await send(pick(), greedyCookie);
        minute.outcomes.set(result.outcome, (minute.outcomes.get(result.outcome) ?? 0) + 1);
        if (result.firstTokenMs !== undefined) minute.ttft.push(result.firstTokenMs);
      }
    };
    const rss: number[] = [];
    const report = async (index: number) => {
      const done = minute;
      minute = { outcomes: new Map(), ttft: [] };
      const { activeStreams, eventLoopP99Ms } = await scrape();
      const memory = usage(server.child.pid!).rssMb;
      rss.push(memory);
      const n = (outcome: Outcome) => done.outcomes.get(outcome) ?? 0;
      console.log(
        `| ${index} | ${n('finished')} | ${n('stopped')} | ${n('dropped')} | ${n('limited')} | ${n('refused')} | ${n('5xx')} | ${n('failed')} | ${percentile(done.ttft, 50).toFixed(0)} / ${percentile(done.ttft, 99).toFixed(0)} | ${memory.toFixed(0)} | ${eventLoopP99Ms.toFixed(1)} | ${activeStreams} | ${await openUpstreamConnections()} |`,
      );
    };
    const workers = Promise.all(Array.from({ length: CONCURRENCY }, worker));
    for (let i = 1; i <= MINUTES; i++) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, endAt - (MINUTES - i) * 60_000 - performance.now())));
      await report(i);
    }
    await workers;
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const after = await scrape();
    console.log(`\nAfter the traffic stopped (5 s): active streams ${after.activeStreams}, open upstream connections ${await openUpstreamConnections()}.`);
    const warm = rss.slice(Math.min(2, rss.length - 1));
    console.log(`Server RSS after warm-up (minutes ${rss.length - warm.length + 1}–${rss.length}): ${warm.map((m) => m.toFixed(0)).join(', ')} MB; slope ${slope(warm).toFixed(2)} MB/minute.`);
  } finally {
    await server.stop();
    await redis.cleanUp();
    await database.drop();
  }
  process.exit(0);
}

/** Least-squares slope of evenly spaced samples (per sample step). */
function slope(values: number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  values.forEach((y, x) => {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  });
  return num / den;
}

void main();
