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
  await stranger.close();
});
