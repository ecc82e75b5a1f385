import { createTestDatabase } from '@/lib/testing/postgres';
import { connectTestRedis } from '@/lib/testing/redis';
import { startNginx } from '../deploy/nginx';
import { startServerProcess, type ServerProcess } from '../deploy/server-process';
import { percentile, resetConnections, runnel, stream, type Target } from './stream-client';
import { benchAppEnv } from './processes';

const INSTANCE_PORTS = [3420, 3421] as const;
const NGINX_PORT = 8420;
const STREAMS = 1000;
const TOKENS = 100;
const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '—');

/**
 * The cost of the proxy and the gain of a second instance: 1000 concurrent streams straight to
 * one `next start`, through the repo's nginx configuration to that one instance, and through it
 * to two (one per core). Two instances need a shared database and shared limits, so every row
 * here runs on the local PostgreSQL and Redis (a database and key prefix of the run's own).
 */
export async function proxyBench(fakePort: number): Promise<void> {
  const [database, redis] = await Promise.all([createTestDatabase(), connectTestRedis()]);
  if (!database || !redis) {
    console.log('### Through nginx\n\nSkipped: needs PostgreSQL and Redis on 127.0.0.1.\n');
    return;
  }
  const env = { ...benchAppEnv(fakePort), DATABASE_URL: database.url, REDIS_URL: redis.url, RUNNEL_REDIS_PREFIX: redis.prefix };
  const instances: ServerProcess[] = [];
  try {
    for (const [core, port] of INSTANCE_PORTS.entries()) {
      // As `npm start` runs it, pinned to a core of its own (its child process inherits the pin).
      const args = ['-c', String(core), process.execPath, 'node_modules/next/dist/bin/next', 'start', '--keepAliveTimeout', '65000', '--port', String(port), '--hostname', '127.0.0.1'];
      instances.push(await startServerProcess({ command: 'taskset', args, env, url: `http://127.0.0.1:${port}` }));
    }
    console.log(`### Through nginx: ${STREAMS} concurrent streams at 50 tokens/s (${TOKENS} tokens), PostgreSQL + Redis\n`);
    console.log('One instance per core (a second instance shares core 1 with the client, the fake upstream and nginx).\n');
    console.log('| path | failed | TTFT p99 ms | inter-token p99 ms |\n|---|---|---|---|');
    await row('direct to one instance (`next start`)', runnel(INSTANCE_PORTS[0]));
    for (const count of [1, 2]) {
      const nginx = await startNginx({ port: NGINX_PORT, upstreams: INSTANCE_PORTS.slice(0, count).map((port) => `127.0.0.1:${port}`) });
      try {
        await row(`nginx → ${count} instance${count > 1 ? 's' : ''}`, { ...runnel(NGINX_PORT), name: `nginx → ${count}` });
      } finally {
        await nginx.stop();
      }
    }
    console.log();
  } finally {
    await Promise.all(instances.map((instance) => instance.stop()));
    await redis.cleanUp();
    await database.drop();
  }
}

async function row(name: string, target: Target): Promise<void> {
  resetConnections();
  const results = await Promise.all(Array.from({ length: STREAMS }, () => stream(target, `[[fake tokens=${TOKENS} delay=20]]`)));
  const failed = results.filter((r) => !r.ok || r.tokens !== TOKENS).length;
  console.log(`| ${name} | ${failed} | ${ms(percentile(results.map((r) => r.firstTokenMs), 99))} | ${ms(percentile(results.flatMap((r) => r.gaps), 99))} |`);
  await new Promise((resolve) => setTimeout(resolve, 1500));
}
