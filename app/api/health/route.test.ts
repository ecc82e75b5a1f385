import { afterAll, beforeAll, expect, test } from 'vitest';
import { startFakeUpstreamProcess, type FakeUpstreamProcess } from '@/e2e/fake-upstream/process';
import { resetHealthCache } from '@/lib/ai/health';
import { resetProviders } from '@/lib/ai/providers';
import { resetConfig } from '@/lib/config';
import { GET } from './route';

let fake: FakeUpstreamProcess;
let port: number;

beforeAll(async () => {
  fake = await startFakeUpstreamProcess();
  port = Number(new URL(fake.url).port);
  Object.assign(process.env, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url, OPENAI_MODEL: 'fake-model' });
  resetConfig();
  resetProviders();
});
afterAll(() => fake.close());

const check = async () => {
  resetHealthCache();
  const response = await GET();
  return { status: response.status, body: await response.json() };
};

test('health is 200 while the provider answers, 503 with the reason when it stops, and 200 when it is back', async () => {
  const up = await check();
  expect(up.status).toBe(200);
  expect(up.body).toMatchObject({ status: 'ok', providers: [{ model: 'fake-model', ok: true }] });

  await fake.close();
  const down = await check();
  expect(down.status).toBe(503);
  expect(down.body).toMatchObject({ status: 'unavailable', providers: [{ ok: false, reason: 'The model provider cannot be reached.' }] });

  fake = await startFakeUpstreamProcess(port);
  expect((await check()).status).toBe(200);
});

test('checks are cached for a few seconds, so polling does not hit the provider each time', async () => {
  resetHealthCache();
  const first = await (await GET()).json();
  const second = await (await GET()).json();
  expect(second.checkedAt).toBe(first.checkedAt);
});
