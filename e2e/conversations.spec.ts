import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { lastAssistant, sendMessage, uniqueId } from './helpers';

test('a conversation gets its own address and comes back on reload', async ({ page }) => {
  await page.goto('/');
  const prompt = `Remember this [[fake id=${uniqueId('reload')} tokens=5]]`;
  await sendMessage(page, prompt);
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done');
  await expect(page).toHaveURL(/\/c\/[\w-]+$/);

  await page.reload();
  await expect(page.locator('[data-role="user"]')).toHaveText(prompt);
  await expect(lastAssistant(page)).toContainText('w0 w1 w2 w3 w4');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done');
});

test('Stop mid-answer, reload: the partial answer is there, marked stopped', async ({ page }) => {
  await page.goto('/');
  await sendMessage(page, `[[fake id=${uniqueId('stop-reload')} tokens=2000 delay=25]]`);
  await expect(lastAssistant(page)).toContainText('w10 ');
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'stopped');
  const kept = (await lastAssistant(page).textContent()) ?? '';
  const lastWord = kept.match(/w\d+/g)!.at(-1)!;

  // The final save runs on the server when the client leaves; give it a moment, then reload.
  await expect(async () => {
    await page.reload();
    await expect(lastAssistant(page)).toHaveAttribute('data-status', 'stopped', { timeout: 500 });
  }).toPass({ timeout: 5000 });
  await expect(lastAssistant(page)).toContainText(`${lastWord} `);
  await expect(lastAssistant(page)).toContainText('Stopped');
});

test('reloading mid-answer shows everything saved so far, and how the reply ended', async ({ page }) => {
  await page.goto('/');
  await sendMessage(page, `[[fake id=${uniqueId('reload-mid')} tokens=2000 delay=25]]`);
  await expect(lastAssistant(page)).toContainText('w20 ');
  const seen = (await lastAssistant(page).textContent())!.match(/w\d+/g)!.at(-1)!;

  // Leaving cancels the reply and its final save lands just after the new page renders; the
  // page follows a reply it sees as streaming until it has ended.
  await page.reload();
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'stopped');
  await expect(lastAssistant(page)).toContainText(`${seen} `);
});

test("another browser (another identity) gets 404 on the first one's conversation", async ({ page, browser }) => {
  await page.goto('/');
  await sendMessage(page, `Private [[fake id=${uniqueId('private')} tokens=3]]`);
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done');
  await expect(page).toHaveURL(/\/c\//);
  const address = page.url();

  const stranger = await browser.newContext();
  const strangerPage = await stranger.newPage();
  const response = await strangerPage.goto(address);
  expect(response?.status()).toBe(404);
  await expect(strangerPage.getByText('Private')).toHaveCount(0);

  // Every API route treats it as missing too, and cross-site requests are refused.
  const id = address.split('/c/')[1]!;
  const api = `/api/conversations/${id}`;
  const sameSite = { origin: new URL(address).origin };
  expect((await stranger.request.patch(api, { data: { title: 'mine' }, headers: sameSite })).status()).toBe(404);
  expect((await stranger.request.patch(api, { data: { activeLeafId: 'x' }, headers: sameSite })).status()).toBe(404);
  expect((await stranger.request.get(`${api}/export?format=json`)).status()).toBe(404);
  expect((await stranger.request.delete(api, { headers: sameSite })).status()).toBe(404);
  expect((await page.request.delete(api, { headers: { origin: 'https://evil.example' } })).status()).toBe(403);
  await stranger.close();

  await page.reload();
  await expect(page.locator('[data-role="user"]')).toContainText('Private');
});

test('regenerate and edit keep the old versions, and the switcher moves between them', async ({ page }) => {
  await page.goto('/');
  const id = uniqueId('versions');
  await sendMessage(page, `Question [[fake id=${id} tokens=2 nth]]`);
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute('data-status', 'done');
  await expect(answer).toContainText('r1 w0 w1');

  await answer.getByRole('button', { name: 'Regenerate' }).click();
  await expect(answer).toContainText('r2 w0 w1');
  await expect(answer).toHaveAttribute('data-status', 'done');
  await expect(answer.getByRole('group', { name: 'Versions' })).toContainText('2 / 2');
  await answer.getByRole('button', { name: 'Previous version' }).click();
  await expect(answer).toContainText('r1 w0 w1');
  await expect(answer.getByRole('group', { name: 'Versions' })).toContainText('1 / 2');

  // The choice is kept: a reload shows the same version.
  await expect(async () => {
    await page.reload();
    await expect(lastAssistant(page)).toContainText('r1 w0 w1', { timeout: 500 });
  }).toPass({ timeout: 5000 });

  // Edit the question: a new version of it, with its own answer; the old one is still there.
  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('textbox', { name: 'Edit message' }).fill(`Better question [[fake id=${id} tokens=2 nth]]`);
  await page.getByRole('button', { name: 'Send', exact: true }).first().click();
  await expect(page.locator('[data-role="user"]')).toHaveText(`Better question [[fake id=${id} tokens=2 nth]]`);
  await expect(lastAssistant(page)).toContainText('r3 w0 w1');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done');
  const question = page.locator('[data-role="user"]').locator('..');
  await expect(question.getByRole('group', { name: 'Versions' })).toContainText('2 / 2');
  await question.getByRole('button', { name: 'Previous version' }).click();
  await expect(page.locator('[data-role="user"]')).toHaveText(`Question [[fake id=${id} tokens=2 nth]]`);
  // Back in the first branch, the answer last viewed there (r1), with its versions.
  await expect(lastAssistant(page)).toContainText('r1 w0 w1');
  await expect(lastAssistant(page).getByRole('group', { name: 'Versions' })).toContainText('1 / 2');
});

test('export as Markdown and JSON, and import the JSON back as a new conversation', async ({ page }) => {
  await page.goto('/');
  const prompt = `Export me [[fake id=${uniqueId('export')} tokens=4]]`;
  await sendMessage(page, prompt);
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done');
  const original = page.url();

  const exports = page.getByRole('navigation', { name: 'This conversation' });
  const markdownDownload = page.waitForEvent('download');
  await exports.getByRole('link', { name: 'Export Markdown' }).click();
  const markdown = await readFile((await (await markdownDownload).path())!, 'utf8');
  expect(markdown).toContain(`## You\n\n${prompt}`);
  expect(markdown).toContain('## Assistant (fake-model)\n\nw0 w1 w2 w3 ');

  const jsonDownload = page.waitForEvent('download');
  await exports.getByRole('link', { name: 'Export JSON' }).click();
  const file = (await (await jsonDownload).path())!;
  const exported = JSON.parse(await readFile(file, 'utf8'));
  expect(exported).toMatchObject({ format: 'runnel.conversation', version: 1, messages: [{ role: 'user' }, { role: 'assistant' }] });

  await page.getByLabel('Import conversation (JSON)').setInputFiles(file);
  await expect(page).not.toHaveURL(original);
  await expect(page).toHaveURL(/\/c\//);
  await expect(page.locator('[data-role="user"]')).toHaveText(prompt);
  await expect(lastAssistant(page)).toContainText('w0 w1 w2 w3');
  await expect(page.getByRole('navigation', { name: 'Conversations' }).getByRole('link')).toHaveCount(2);
});

test('the first visit gives the browser an anonymous identity: a signed, HttpOnly, SameSite=Lax, Secure cookie', async ({ page, context }) => {
  await page.goto('/');
  const [identity] = (await context.cookies()).filter((cookie) => cookie.name === 'runnel_identity');
  expect(identity).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: true });
  expect(identity!.value).toMatch(/^[0-9a-f-]{36}\.[\w-]{43}$/);
  // It stays the same on the next visit.
  await page.reload();
  expect((await context.cookies()).find((cookie) => cookie.name === 'runnel_identity')?.value).toBe(identity!.value);
});
