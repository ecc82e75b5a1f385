import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startFakeUpstreamProcess, type FakeUpstreamProcess } from '@/e2e/fake-upstream/process';
import { resetProviders } from '@/lib/ai/providers';
import { resetConfig } from '@/lib/config';
import { resetLimiters } from '@/lib/limits/limits';

export interface RouteTestEnvironment {
  /** The fake upstream, in a process of its own; started before the file's tests. */
  readonly fake: FakeUpstreamProcess;
  /** Sets environment variables for the current test (undone after it) and drops what was built from the old ones. */
  configure(env: Record<string, string | undefined>): void;
}

/**
 * What every in-process route test file shares: the fake upstream, an embedded database in a
 * temporary folder and in-memory limits whatever the developer's environment says, and the
 * environment put back after each test and at the end. Call it at the top of a test file.
 */
export function routeTestEnvironment(name: string): RouteTestEnvironment {
  const saved = { ...process.env };
  const dataDir = mkdtempSync(path.join(tmpdir(), `runnel-${name}-`));
  const base = { RUNNEL_DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '' };
  let fake: FakeUpstreamProcess | undefined;
  const configure = (env: Record<string, string | undefined>) => {
    process.env = { ...saved, ...base, ...env };
    resetConfig();
    resetProviders();
    resetLimiters();
  };
  beforeAll(async () => {
    fake = await startFakeUpstreamProcess();
  });
  afterEach(() => configure({}));
  afterAll(async () => {
    process.env = saved;
    await fake?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    get fake() {
      if (!fake) throw new Error('the fake upstream starts in beforeAll');
      return fake;
    },
    configure,
  };
}
