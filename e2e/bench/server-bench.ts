/**
 * `npm run bench`: Runnel's /api/chat on the production build beside a client talking straight to
 * the same fake upstream, in one run. Prints markdown tables. Loopback only, bounded in count.
 */
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { direct, percentile, plainRequest, resetConnections, runnel, stream, type StreamResult, type Target } from './stream-client';
import { benchAppEnv, startProcess, usage } from './processes';
import { proxyBench } from './proxy-bench';
import { parseServerTiming } from '@/lib/chat/server-timing';

const FAKE_PORT = 4410;
const APP_PORT = 3410;
const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '—');

async function main() {
  // Server on core 0; the fake upstream and this client on core 1, so they do not steal its CPU.
  execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  await startProcess('taskset', ['-c', '1', process.execPath, '--import', 'tsx', 'e2e/fake-upstream/cli.ts', '--port', String(FAKE_PORT)], {}, `http://127.0.0.1:${FAKE_PORT}/v1/models`);
  const server = await startProcess(
    'taskset',
    // As `npm start` runs it.
    ['-c', '0', process.execPath, 'node_modules/next/dist/bin/next', 'start', '--keepAliveTimeout', '65000', '--port', String(APP_PORT), '--hostname', '127.0.0.1'],
    benchAppEnv(FAKE_PORT),
    `http://127.0.0.1:${APP_PORT}/`,
  );
  const targets = [direct(FAKE_PORT), runnel(APP_PORT)];
  // Resume's cost: the same route, opted in as Runnel's own client is (a live-reply entry, a
  // reader count, and with Redis two writes per reply; every event carries its id either way).
  const withResume = [...targets, runnel(APP_PORT, { resumable: true })];
  const database = process.env.DATABASE_URL ? 'Postgres (DATABASE_URL)' : 'embedded PGlite';
  const limits = process.env.REDIS_URL ? 'Redis (REDIS_URL)' : 'in-memory limits, no Redis';
  console.log(`Runnel server bench — ${new Date().toISOString()}, node ${process.version}, server pinned to core 0, ${database}, ${limits}\n`);

  await timeToFirstToken(targets);
  await nextFloor();
  await throughput(withResume);
  await concurrency(withResume, server.pid!);
  await abortLatency();
  server.kill('SIGKILL');
  await proxyBench(FAKE_PORT);
  process.exit(0);
}

async function timeToFirstToken([directTarget, runnelTarget]: Target[]) {
  const prompt = '[[fake tokens=200]]';
  for (let i = 0; i < 50; i++) await Promise.all([stream(directTarget!, prompt), stream(runnelTarget!, prompt)]);
  const samples = new Map<Target, number[]>([[directTarget!, []], [runnelTarget!, []]]);
  const marks: Record<string, number>[] = [];
  for (let i = 0; i < 300; i++) {
    for (const target of [directTarget!, runnelTarget!]) {
      const result = await stream(target, prompt);
      if (result.ok) samples.get(target)!.push(result.firstTokenMs);
      if (result.ok && result.serverTiming) marks.push({ ...parseServerTiming(result.serverTiming), client: result.firstTokenMs });
    }
  }
  const d = samples.get(directTarget!)!;
  const r = samples.get(runnelTarget!)!;
  console.log('### Single stream, 200 tokens at once: time to first token (300 requests each, interleaved)\n');
  console.log('| | p50 ms | p99 ms |\n|---|---|---|');
  console.log(`| ${directTarget!.name} | ${ms(percentile(d, 50))} | ${ms(percentile(d, 99))} |`);
  console.log(`| ${runnelTarget!.name} | ${ms(percentile(r, 50))} | ${ms(percentile(r, 99))} |`);
  console.log(`| **added by Runnel** | **${ms(percentile(r, 50) - percentile(d, 50))}** | **${ms(percentile(r, 99) - percentile(d, 99))}** |\n`);
  printWhereTheWaitGoes(marks);
}

/**
 * Where Runnel's time to first token goes, from the Server-Timing header of its responses (ms from
 * the handler's start): the rest of the client's wait is Next.js and the network, before the
 * handler and after it.
 */
function printWhereTheWaitGoes(marks: Record<string, number>[]) {
  const median = (name: string) => percentile(marks.map((m) => m[name]!).filter(Number.isFinite), 50);
  console.log('Where it goes (medians; Server-Timing, ms from the route handler\'s start):\n');
  console.log('| admitted (parsed, limits) | question stored | upstream first token | answered (response returned) | client first token | outside the handler |');
  console.log('|---|---|---|---|---|---|');
  const outside = percentile(marks.map((m) => m.client! - m.answered!), 50);
  console.log(`| ${ms(median('admitted'))} | ${ms(median('stored'))} | ${ms(median('upstream'))} | ${ms(median('answered'))} | ${ms(median('client'))} | ${ms(outside)} |\n`);
}

/**
 * What Next.js costs before any of Runnel's work: a route that answers at once (GET /api/chat,
 * 405 with a JSON body) beside the fake upstream's /v1/models, one at a time and in bursts.
 */
async function nextFloor() {
  const targets = [
    { name: 'fake upstream, GET /v1/models', port: FAKE_PORT, path: '/v1/models' },
    { name: 'Next route doing nothing, GET /api/chat', port: APP_PORT, path: '/api/chat' },
  ];
  console.log('### The floor: a request that does no work (300 one at a time; bursts of 100 and 1000 at once)\n');
  console.log('| | p50 ms | 100 at once p99 ms | 1000 at once p99 ms |\n|---|---|---|---|');
  for (const target of targets) {
    resetConnections();
    for (let i = 0; i < 50; i++) await plainRequest(target.port, target.path);
    const single: number[] = [];
    for (let i = 0; i < 300; i++) single.push(await plainRequest(target.port, target.path));
    const burst = async (n: number) => percentile(await Promise.all(Array.from({ length: n }, () => plainRequest(target.port, target.path))), 99);
    const hundred = await burst(100);
    const thousand = await burst(1000);
    console.log(`| ${target.name} | ${ms(percentile(single, 50))} | ${ms(hundred)} | ${ms(thousand)} |`);
  }
  console.log();
}

async function throughput(targets: Target[]) {
  console.log('### Single stream relay throughput: 5000 tokens sent at once (median of 7)\n');
  console.log('| | deltas/s | total ms |\n|---|---|---|');
  for (const target of targets) {
    const runs: StreamResult[] = [];
    for (let i = 0; i < 8; i++) runs.push(await stream(target, '[[fake tokens=5000]]'));
    const ok = runs.slice(1).filter((r) => r.ok && r.tokens === 5000);
    const total = percentile(ok.map((r) => r.endMs), 50);
    console.log(`| ${target.name} | ${Math.round(5000 / (total / 1000)).toLocaleString('en')} | ${ms(total)} |`);
  }
  console.log();
}

async function concurrency(targets: Target[], serverPid: number) {
  const TOKENS = 100;
  console.log(`### Concurrent streams at 50 tokens/s each (${TOKENS} tokens, 2 s per stream)\n`);
  console.log('| streams | target | failed | TTFT p99 ms | inter-token p99 ms | server RSS peak MB | server CPU % of a core |');
  console.log('|---|---|---|---|---|---|---|');
  for (const n of [100, 500, 1000]) {
    for (const target of targets) {
      resetConnections();
      const before = usage(serverPid);
      let peakRss = before.rssMb;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, usage(serverPid).rssMb)), 100);
      const started = performance.now();
      const results = await Promise.all(Array.from({ length: n }, () => stream(target, `[[fake tokens=${TOKENS} delay=20]]`)));
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      const after = usage(serverPid);
      const failed = results.filter((r) => !r.ok || r.tokens !== TOKENS).length;
      const ttft = percentile(results.map((r) => r.firstTokenMs), 99);
      const gaps = percentile(results.flatMap((r) => r.gaps), 99);
      const isRunnel = target.path === '/api/chat';
      const rss = isRunnel ? Math.max(peakRss, after.rssMb).toFixed(0) : '—';
      const cpu = isRunnel ? (((after.cpuSeconds - before.cpuSeconds) / seconds) * 100).toFixed(0) : '—';
      console.log(`| ${n} | ${target.name} | ${failed} | ${ms(ttft)} | ${ms(gaps)} | ${rss} | ${cpu} |`);
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
  }
  console.log();
}

/** Client gone → upstream connection closed, as the fake upstream saw it (20 runs). */
async function abortLatency() {
  const latencies: number[] = [];
  for (let i = 0; i < 20; i++) {
    const id = `bench-abort-${Date.now()}-${i}`;
    const abortedAt = await new Promise<number>((resolve) => {
      const body = runnel(APP_PORT).body(`[[fake id=${id} tokens=100000 delay=5]]`);
      const req = request({ host: '127.0.0.1', port: APP_PORT, path: '/api/chat', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.once('data', () => {
          const at = performance.timeOrigin + performance.now();
          req.destroy();
          resolve(at);
        });
      });
      req.end(body);
    });
    for (let tries = 0; tries < 200; tries++) {
      const record = (await fetch(`http://127.0.0.1:${FAKE_PORT}/__fake/requests/${id}`).then((r) => r.json())) as { disconnectedAt?: number };
      if (record.disconnectedAt) {
        latencies.push(record.disconnectedAt - abortedAt);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  console.log('### Client abort → upstream connection closed (20 runs, through `next start`)\n');
  console.log(`| p50 ms | max ms |\n|---|---|\n| ${ms(percentile(latencies, 50))} | ${ms(Math.max(...latencies))} |\n`);
}

void main();
