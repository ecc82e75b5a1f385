import { afterAll, beforeAll, describe } from 'vitest';
import { startFakeUpstreamProcess, type FakeUpstreamProcess } from '@/e2e/fake-upstream/process';
import { resetProviders } from '@/lib/ai/providers';
import { resetConfig } from '@/lib/config';
import { closeRedisClients } from '@/lib/limits/redis';
import { createTestDatabase } from '@/lib/testing/postgres';
import { connectTestRedis } from '@/lib/testing/redis';
import { pricedModels, usageTests } from '@/lib/testing/usage-tests';

// The production path: usage on a real Postgres of this run's own, limit slots in the real Redis.
const database = await createTestDatabase();
const redis = await connectTestRedis();
let fake: FakeUpstreamProcess;

describe.skipIf(database === undefined || redis === undefined)('usage is recorded (real Postgres, limits in Redis)', () => {
  beforeAll(async () => {
    fake = await startFakeUpstreamProcess();
    Object.assign(process.env, {
      OPENAI_API_KEY: 'sk-test',
      ANTHROPIC_API_KEY: 'sk-ant-test',
      RUNNEL_MODELS: pricedModels(fake),
      DATABASE_URL: database!.url,
      REDIS_URL: redis!.url,
      RUNNEL_REDIS_PREFIX: redis!.prefix,
    });
    resetConfig();
    resetProviders();
  });
  afterAll(async () => {
    await fake?.close();
    await closeRedisClients();
    await redis?.cleanUp();
    await database?.drop();
  });
  usageTests();
});
