import { Redis } from 'ioredis';

const URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestRedis {
  url: string;
  /** Keys of this run start with it, so runs never collide. */
  prefix: string;
  client: Redis;
  /** Deletes this run's keys and disconnects. */
  cleanUp(): Promise<void>;
}

/**
 * The Redis on this machine, with a key prefix of this run's own. Where none answers, outside
 * CI, says so and returns undefined (the tests using it skip); in CI (CI=true) it is a failure.
 */
export async function connectTestRedis(): Promise<TestRedis | undefined> {
  const client = new Redis(URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    if (process.env.CI) throw new Error(`Redis is required in CI but ${URL} did not answer: ${String(error)}`);
    console.warn(`[tests] no Redis at ${URL} (${String(error)}): the Redis tests are skipped`);
    return undefined;
  }
  const prefix = `runnel-test-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  return {
    url: URL,
    prefix,
    client,
    async cleanUp() {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length > 0) await client.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      client.disconnect();
    },
  };
}
