import { afterAll, beforeAll, describe } from 'vitest';
import { startFakeUpstreamProcess, type FakeUpstreamProcess } from '@/e2e/fake-upstream/process';
import { resetProviders } from '@/lib/ai/providers';
import { resetConfig } from '@/lib/config';
import { persistenceTests } from '@/lib/testing/persistence-tests';
import { createTestDatabase } from '@/lib/testing/postgres';

// The same storage behaviour as with the embedded database, on a real Postgres of this run's own.
const database = await createTestDatabase();
let fake: FakeUpstreamProcess;

describe.skipIf(database === undefined)('conversations are stored (real Postgres)', () => {
  beforeAll(async () => {
    fake = await startFakeUpstreamProcess();
    Object.assign(process.env, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url, OPENAI_MODEL: 'fake-model', DATABASE_URL: database!.url });
    resetConfig();
    resetProviders();
  });
  afterAll(async () => {
    await fake?.close();
    await database?.drop();
  });
  persistenceTests(() => fake);
});
