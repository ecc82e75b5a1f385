import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startFakeUpstreamProcess, type FakeUpstreamProcess } from '@/e2e/fake-upstream/process';
import { resetProviders } from '@/lib/ai/providers';
import { resetConfig } from '@/lib/config';
import { pricedModels, usageTests } from '@/lib/testing/usage-tests';

/** Usage accounting on the embedded database, with in-memory limits (usage.postgres.test.ts: Postgres and Redis). */
let fake: FakeUpstreamProcess;
const dataDir = mkdtempSync(path.join(tmpdir(), 'runnel-usage-'));
const savedEnv = { ...process.env };

beforeAll(async () => {
  fake = await startFakeUpstreamProcess();
  Object.assign(process.env, {
    RUNNEL_DATA_DIR: dataDir,
    DATABASE_URL: '',
    REDIS_URL: '',
    OPENAI_API_KEY: 'sk-test',
    ANTHROPIC_API_KEY: 'sk-ant-test',
    RUNNEL_MODELS: pricedModels(fake),
  });
  resetConfig();
  resetProviders();
});
afterAll(async () => {
  process.env = savedEnv;
  await fake.close();
  rmSync(dataDir, { recursive: true, force: true });
});

usageTests();
