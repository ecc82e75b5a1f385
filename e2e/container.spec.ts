import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { createTestDatabase, type TestDatabase } from '@/lib/testing/postgres';
import { connectTestRedis, type TestRedis } from '@/lib/testing/redis';
import { readChunks } from '@/lib/testing/chat-client';
import { assembleImage, readRuntimeStage, type RuntimeStage } from './deploy/image';
import { startServerProcess, type ServerProcess } from './deploy/server-process';
import { expectUpstreamDisconnected, uniqueId } from './helpers';
import { E2E } from './ports';

/**
 * No Docker daemon runs here, so the image is proven by its parts: exactly what the Dockerfile's
 * runtime stage copies (read from the Dockerfile) is laid out in an empty folder, and started the
 * way its CMD starts it, with the image's ENV, against the local PostgreSQL and Redis, or with the
 * embedded database. Nothing of the checkout (node_modules, sources, tsx) is reachable from there.
 */
test.describe.configure({ mode: 'serial' });

const run = promisify(execFile);
const url = `http://127.0.0.1:${E2E.containerPort}`;
let stage: RuntimeStage;
let root: string;
let database: TestDatabase | undefined;
let redis: TestRedis | undefined;
let server: ServerProcess | undefined;

test.beforeAll(async () => {
  stage = readRuntimeStage();
  root = mkdtempSync(path.join(tmpdir(), 'runnel-image-'));
  expect(readdirSync(root)).toEqual([]);
  assembleImage(stage, root);
  [database, redis] = await Promise.all([createTestDatabase(), connectTestRedis()]);
});

test.afterEach(async () => server?.stop());
test.afterAll(async () => {
  await redis?.cleanUp();
  await database?.drop();
});

/** The image's environment, as `docker run -e …` would complete it. */
function containerEnv(extra: Record<string, string>): Record<string, string> {
  return {
    ...stage.env,
    HOSTNAME: '127.0.0.1',
    PORT: String(E2E.containerPort),
    RUNNEL_DATA_DIR: path.join(root, 'data'),
    AUTH_SECRET: 'container-only-secret-0123456789',
    OPENAI_API_KEY: 'sk-e2e',
    OPENAI_BASE_URL: E2E.fakeUrl,
    OPENAI_MODEL: 'fake-model',
    ...extra,
  };
}

/** Runs a command of the image (`node …`) in its working directory, with its environment. */
function inImage(command: string[], env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  const [program, ...args] = command;
  return run(program === 'node' ? process.execPath : program!, args, { cwd: root, env: { PATH: process.env.PATH, NODE_ENV: 'production', ...env } });
}

const startContainer = (env: Record<string, string>) =>
  startServerProcess({ command: stage.cmd[0] === 'node' ? process.execPath : stage.cmd[0]!, args: stage.cmd.slice(1), cwd: root, env, url });

const ask = (conversationId: string, text: string, cookie?: string, signal?: AbortSignal) =>
  fetch(`${url}/api/chat`, {
    method: 'POST',
    signal,
    headers: { 'content-type': 'application/json', ...(cookie && { cookie }) },
    body: JSON.stringify({ id: conversationId, trigger: 'submit-message', messages: [{ id: uniqueId('q'), role: 'user', parts: [{ type: 'text', text }] }] }),
  });

test('on PostgreSQL and Redis: a chat, a stop, the healthcheck, SIGTERM and a restart with history intact; db:migrate and the keys CLI', async ({}, testInfo) => {
  test.setTimeout(120_000);
  // Only on a laptop without the services: in CI (CI=true) their absence already failed beforeAll.
  testInfo.skip(!database || !redis, 'needs PostgreSQL and Redis on 127.0.0.1 (required in CI)');
  const env = containerEnv({ DATABASE_URL: database!.url, REDIS_URL: redis!.url, RUNNEL_REDIS_PREFIX: redis!.prefix });
  server = await startContainer(env);

  const id = uniqueId('image');
  const answered = await ask(id, 'In a container [[fake tokens=5]]');
  expect(answered.status).toBe(200);
  const cookie = answered.headers.get('set-cookie')!.split(';')[0]!;
  expect((await readChunks(answered)).chunks.at(-1)).toMatchObject({ type: 'finish' });

  const tag = uniqueId('image-stop');
  const stoppedId = uniqueId('image-stopped');
  const controller = new AbortController();
  const stopped = await ask(stoppedId, `Then stop [[fake id=${tag} tokens=100000 delay=10]]`, cookie, controller.signal);
  const reader = stopped.body!.getReader();
  await reader.read();
  await reader.read();
  controller.abort();
  await expectUpstreamDisconnected(tag);

  // The image's HEALTHCHECK, run as Docker runs it.
  await inImage(stage.healthcheck, env);

  server.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  server = await startContainer(env);
  const statuses = async (conversationId: string) => {
    const history = (await (await fetch(`${url}/api/conversations/${conversationId}`, { headers: { cookie } })).json()) as { messages: { role: string; status?: string }[] };
    return history.messages.map((m) => `${m.role}${m.status ? `:${m.status}` : ''}`);
  };
  expect(await statuses(id)).toEqual(['user', 'assistant:done']);
  expect(await statuses(stoppedId)).toEqual(['user', 'assistant:stopped']);

  const migrated = await inImage(['node', 'cli/migrate.cjs'], env);
  expect(migrated.stdout).toContain('Migrations are up to date (DATABASE_URL)');

  const created = await inImage(['node', 'cli/keys.cjs', 'create', '--name', 'image-bot'], env);
  const key = /\b(rk_[\w-]{43})\b/.exec(created.stdout)?.[1];
  expect(key, created.stdout).toBeDefined();
  const models = await fetch(`${url}/api/v1/models`, { headers: { authorization: `Bearer ${key}` } });
  expect(models.status).toBe(200);
  expect((await inImage(['node', 'cli/keys.cjs', 'list'], env)).stdout).toContain('image-bot');
  await inImage(['node', 'cli/keys.cjs', 'revoke', key!.slice(0, 11)], env);
  expect((await fetch(`${url}/api/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
});

test('with the embedded database (no DATABASE_URL): PGlite and its WASM are in the image; the keys CLI goes through the running server', async () => {
  test.setTimeout(120_000);
  const env = containerEnv({ RUNNEL_DATA_DIR: path.join(root, 'embedded-data') });
  server = await startContainer(env);
  const answered = await ask(uniqueId('image-embedded'), 'Embedded [[fake tokens=3]]');
  expect(answered.status).toBe(200);
  expect((await readChunks(answered)).chunks.at(-1)).toMatchObject({ type: 'finish' });

  expect((await inImage(['node', 'cli/migrate.cjs'], env)).stdout).toContain('holds the embedded database');
  const created = await inImage(['node', 'cli/keys.cjs', 'create', '--name', 'embedded-bot'], env);
  const key = /\b(rk_[\w-]{43})\b/.exec(created.stdout)?.[1];
  expect((await fetch(`${url}/api/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);

  server.kill('SIGTERM');
  expect(await server.exited).toBe(0);
});
