import { afterAll, describe } from 'vitest';
import { closeRedisClients } from '@/lib/limits/redis';
import { accountTests } from '@/lib/testing/account-tests';
import { createTestDatabase } from '@/lib/testing/postgres';
import { connectTestRedis } from '@/lib/testing/redis';
import { routeTestEnvironment } from '@/lib/testing/route-environment';

// The production path: accounts on a real Postgres of this run's own, failed sign-ins counted in the real Redis.
const env = routeTestEnvironment('accounts-pg');
const database = await createTestDatabase();
const redis = await connectTestRedis();

describe.skipIf(database === undefined || redis === undefined)('accounts (real Postgres, limits in Redis)', () => {
  afterAll(async () => {
    await closeRedisClients();
    await redis?.cleanUp();
    await database?.drop();
  });
  accountTests((extra) =>
    env.configure({
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: env.fake.url,
      OPENAI_MODEL: 'fake-model',
      DATABASE_URL: database!.url,
      REDIS_URL: redis!.url,
      RUNNEL_REDIS_PREFIX: redis!.prefix,
      ...extra,
    }),
  );
});
