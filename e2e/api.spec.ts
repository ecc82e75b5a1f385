import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import OpenAI from 'openai';
import { expectUpstreamDisconnected, fakeRecord, uniqueId } from './helpers';
import { E2E } from './ports';

const run = promisify(execFile);

/** `npm run keys -- …` against the running app, which holds its embedded database. */
async function keys(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'lib/cli/keys.ts', ...args], {
    env: { ...process.env, RUNNEL_DATA_DIR: path.join(E2E.runDir, 'app'), DATABASE_URL: '' },
  });
  return stdout;
}

const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${E2E.appUrl}/api/v1`, maxRetries: 0 });

test('a key from the CLI works with the official openai client, until it is revoked', async () => {
  const created = await keys('create', '--name', 'e2e-bot');
  const key = /\b(rk_[\w-]{43})\b/.exec(created)?.[1];
  expect(key, created).toBeDefined();
  const openai = client(key!);

  const id = uniqueId('api-stream');
  const stream = await openai.chat.completions.create({
    model: 'fake-model',
    messages: [{ role: 'user', content: `[[fake id=${id} tokens=6]]` }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? '';
    usage = chunk.usage ?? usage;
  }
  expect(text).toBe('w0 w1 w2 w3 w4 w5 ');
  expect(usage).toEqual({ prompt_tokens: 10, completion_tokens: 6, total_tokens: 16 });

  const completion = await openai.chat.completions.create({ model: 'fake-claude', messages: [{ role: 'user', content: '[[fake tokens=3]]' }] });
  expect(completion.choices[0]?.message.content).toBe('w0 w1 w2 ');

  const listed = await keys('list');
  expect(listed).toMatch(/e2e-bot\s+rk_\S+…\s+\S+ \S+\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+active/);

  const prefix = key!.slice(0, 11);
  expect(await keys('revoke', prefix)).toContain('Revoked key "e2e-bot"');
  await expect(openai.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
});

test('aborting an API stream closes the upstream connection', async () => {
  const created = await keys('create', '--name', 'e2e-abort');
  const openai = client(/\b(rk_[\w-]{43})\b/.exec(created)![1]!);
  const id = uniqueId('api-abort');
  const controller = new AbortController();
  const stream = await openai.chat.completions.create(
    { model: 'fake-model', messages: [{ role: 'user', content: `[[fake id=${id} tokens=100000 delay=5]]` }], stream: true },
    { signal: controller.signal },
  );
  let deltas = 0;
  for await (const chunk of stream) {
    if (chunk.choices[0]?.delta.content && ++deltas === 3) controller.abort();
  }
  await expectUpstreamDisconnected(id);
  expect((await fakeRecord(id))?.completedAt).toBeUndefined();
});

test('a key made in Settings is shown once, acts as this browser, and can be revoked', async ({ page }) => {
  await page.goto('/settings');
  await page.getByRole('textbox', { name: 'Key name' }).fill('browser-bot');
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = (await page.getByTestId('new-key').textContent())!.trim();
  expect(key).toMatch(/^rk_[\w-]{43}$/);
  await expect(page.getByRole('row', { name: /browser-bot/ })).toContainText(key.slice(0, 11));

  await client(key).chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'From a script [[fake tokens=2]]' }] });
  // The key acts as this browser's identity: its chat is in this browser's sidebar.
  await page.goto('/');
  await expect(page.getByRole('navigation', { name: 'Conversations' })).toContainText('API: From a script');

  await page.goto('/settings');
  await expect(page.getByRole('row', { name: /browser-bot/ })).not.toContainText('never');
  await page.getByRole('button', { name: 'Revoke browser-bot' }).click();
  await expect(page.getByRole('row', { name: /browser-bot/ })).toContainText('Revoked');
  await expect(client(key).models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  await page.reload();
  await expect(page.getByTestId('new-key')).toHaveCount(0);
});
