import path from 'node:path';
import { expect, test } from '@playwright/test';
import { expectedText, parseScenario } from './fake-upstream/scenario';
import { errorNotice, expectUpstreamDisconnected, fakeRecord, lastAssistant, sendMessage, uniqueId } from './helpers';

test('offline mid-answer, twice (3 s, then 1 s): "Reconnecting…", then the answer completes with exactly the model\'s text, asked for once', async ({ page, context }) => {
  test.setTimeout(60_000);
  const id = uniqueId('offline');
  // Long enough (12 s of tokens) that the answer is still coming at the second drop, after the
  // first one's 3 s and its catch-up, on a busy machine too.
  const scenario = `[[fake id=${id} tokens=600 delay=20]]`;
  await page.goto('/');
  await sendMessage(page, `Keep going ${scenario}`);
  await expect(lastAssistant(page)).toContainText('w20 ');
  await context.setOffline(true);
  await expect(page.getByTestId('reconnecting')).toBeVisible();
  await expect(lastAssistant(page)).toContainText('w20 ');
  await page.waitForTimeout(3000);
  await context.setOffline(false);
  await expect(page.getByTestId('reconnecting')).toHaveCount(0);
  // And again: several drops in a row are fine.
  await expect(lastAssistant(page)).toContainText('w120 ', { timeout: 10_000 });
  await context.setOffline(true);
  await expect(page.getByTestId('reconnecting')).toBeVisible();
  await page.waitForTimeout(1000);
  await context.setOffline(false);
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
  await expect(page.getByTestId('reconnecting')).toHaveCount(0);
  const expected = expectedText(parseScenario(scenario)).trim();
  await expect(lastAssistant(page).getByText(expected, { exact: true })).toBeVisible();
  const record = await fakeRecord(id);
  expect(record?.requests).toBe(1);
  expect(record?.completedAt).toBeDefined();
  // Saved whole, as the reload shows.
  await page.reload();
  await expect(lastAssistant(page).getByText(expected, { exact: true })).toBeVisible();
});

test('an answer that cannot be reached again keeps its text, says the connection was lost, and offers Retry', async ({ page, context }) => {
  const id = uniqueId('gone');
  await page.goto('/');
  await sendMessage(page, `Vanishing [[fake id=${id} tokens=100000 delay=20]]`);
  await expect(lastAssistant(page)).toContainText('w10 ');
  // As when the grace window has passed on the server, or the conversation is gone: nothing to resume.
  await page.route('**/api/chat/*/stream*', (route) => route.fulfill({ status: 204 }));
  await context.setOffline(true);
  await expect(page.getByTestId('reconnecting')).toBeVisible();
  await context.setOffline(false);
  await expect(errorNotice(page)).toContainText('The connection was lost; the answer was saved up to here.');
  await expect(lastAssistant(page)).toContainText('w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 ');
  await expect(errorNotice(page).getByRole('button', { name: 'Retry' })).toBeVisible();
  // The answer is still being written on the server (its grace window has not passed): end it.
  const conversation = new URL(page.url()).pathname.split('/').at(-1)!;
  expect((await page.request.post(`/api/chat/${conversation}/stop`, { data: {} })).status()).toBe(200);
  await expectUpstreamDisconnected(id);
});

test('Stop while offline: once back online the stop reaches the server, the upstream is closed and the answer saved as stopped', async ({ page, context }) => {
  test.setTimeout(60_000);
  const id = uniqueId('offline-stop');
  await page.goto('/');
  await sendMessage(page, `Long one [[fake id=${id} tokens=100000 delay=20]]`);
  await expect(lastAssistant(page)).toContainText('w10 ');
  await context.setOffline(true);
  await expect(page.getByTestId('reconnecting')).toBeVisible();
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'stopped');
  await page.waitForTimeout(1000);
  // The server could not be told yet: the reply is still being generated, as it should be.
  expect((await fakeRecord(id))?.disconnectedAt).toBeUndefined();
  await context.setOffline(false);
  await expectUpstreamDisconnected(id);
  await page.reload();
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'stopped');
});

test('a second tab on a conversation being answered shows the answer live from its start, to its end', async ({ page, context }) => {
  test.setTimeout(60_000);
  const id = uniqueId('second-tab');
  // 12 s of tokens: still coming when a busy machine has opened the second tab.
  const scenario = `[[fake id=${id} tokens=600 delay=20]]`;
  await page.goto('/');
  await sendMessage(page, `Share this ${scenario}`);
  await expect(lastAssistant(page)).toContainText('w10 ');
  await expect(page).toHaveURL(/\/c\//);

  const second = await context.newPage();
  await second.goto(page.url());
  await expect(lastAssistant(second)).toHaveAttribute('data-status', 'streaming');
  await expect(lastAssistant(second)).toContainText('w0 w1 w2 ');
  await expect(lastAssistant(second)).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
  const expected = expectedText(parseScenario(scenario)).trim();
  await expect(lastAssistant(second).getByText(expected, { exact: true })).toBeVisible();
  expect((await fakeRecord(id))?.requests).toBe(1);
});

test("the AI SDK's useChat({ resume: true }) picks up an answer in progress on mount, and gets all of it", async ({ browser, baseURL }) => {
  test.setTimeout(60_000);
  const { build } = await import('esbuild');
  const bundle = await build({
    entryPoints: [path.resolve('e2e/ai-sdk-client/resume-client.tsx')],
    bundle: true,
    write: false,
    format: 'iife',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  // A page of Runnel's origin (same cookies, same /api/chat) that runs the AI SDK's client; its
  // script is injected, which Runnel's CSP would rightly refuse.
  const context = await browser.newContext({ bypassCSP: true, baseURL });
  const page = await context.newPage();
  const id = uniqueId('ai-sdk-resume');
  const scenario = `[[fake id=${id} tokens=250 delay=20]]`;
  await page.goto('/');
  await sendMessage(page, `For the AI SDK ${scenario}`);
  await expect(lastAssistant(page)).toContainText('w10 ');
  const chatId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);

  const client = await context.newPage();
  await client.goto('/api/health/live');
  await client.evaluate((value) => (window.chatId = value), chatId);
  await client.addScriptTag({ content: bundle.outputFiles[0]!.text });
  await expect(client.getByTestId('answer')).toContainText('w0 w1 w2 ');
  const expected = expectedText(parseScenario(scenario));
  await expect(client.getByTestId('answer')).toHaveText(expected, { timeout: 20_000 });
  await expect(client.getByTestId('status')).toHaveText('ready');
  expect((await fakeRecord(id))?.requests).toBe(1);
  await context.close();
});
