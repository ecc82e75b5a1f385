import { afterAll, beforeEach, describe } from 'vitest';
import { closeRedisClients } from '@/lib/limits/redis';
import { createTestDatabase } from '@/lib/testing/postgres';
import { connectTestRedis } from '@/lib/testing/redis';
import { routeTestEnvironment } from '@/lib/testing/route-environment';
import { pricedModels, usageTests } from '@/lib/testing/usage-tests';

// The production path: usage on a real Postgres of this run's own, limit slots in the real Redis.
const env = routeTestEnvironment('usage-pg');
const database = await createTestDatabase();
const redis = await connectTestRedis();

describe.skipIf(database === undefined || redis === undefined)('usage is recorded (real Postgres, limits in Redis)', () => {
  beforeEach(() =>
    env.configure({
      OPENAI_API_KEY: 'sk-test',
      ANTHROPIC_API_KEY: 'sk-ant-test',
      RUNNEL_MODELS: pricedModels(env.fake),
      DATABASE_URL: database!.url,
      REDIS_URL: redis!.url,
      RUNNEL_REDIS_PREFIX: redis!.prefix,
    }),
  );
  afterAll(async () => {
    await closeRedisClients();
    await redis?.cleanUp();
    await database?.drop();
  });
  usageTests();
});
