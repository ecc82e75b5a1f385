import { expect, test } from '@playwright/test';
import { lastAssistant, sendMessage } from './helpers';

test('share a conversation, read it in a fresh browser with no cookies and no JavaScript, then revoke it', async ({ page, browser, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/');
  await sendMessage(page, 'Recipe for bread [[fake tokens=3]]');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done');

  await page.getByRole('navigation', { name: 'This conversation' }).getByRole('button', { name: 'Share' }).click();
  const link = page.getByRole('textbox', { name: /Anyone with this link/ });
  await expect(link).toHaveValue(/\/s\/[A-Za-z0-9_-]{22}$/);
  const url = await link.inputValue();
  await page.getByRole('button', { name: 'Copy link' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);

  // A later message is not in the shared copy.
  await sendMessage(page, 'A later secret [[fake tokens=1]]');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done');

  const reader = await browser.newContext({ javaScriptEnabled: false });
  const readerPage = await reader.newPage();
  const response = await readerPage.goto(url);
  expect(response?.status()).toBe(200);
  await expect(readerPage.getByRole('heading', { level: 1 })).toHaveText('Recipe for bread [[fake tokens=3]]');
  await expect(readerPage.locator('[data-role="user"]')).toContainText('Recipe for bread [[fake tokens=3]]');
  await expect(readerPage.locator('[data-role="assistant"]')).toContainText('w0 w1 w2');
  await expect(readerPage.getByText('A later secret')).toHaveCount(0);
  // No usage or cost, not for search engines, and a title for link previews.
  await expect(readerPage.getByText(/\$|tokens? in|to first token/)).toHaveCount(0);
  expect(await readerPage.locator('meta[name="robots"]').getAttribute('content')).toMatch(/noindex/);
  expect(await readerPage.locator('meta[property="og:title"]').getAttribute('content')).toMatch(/Recipe for bread/);

  // The owner revokes it in Settings; the link is a 404 from then on.
  await page.goto('/settings');
  const links = page.getByRole('list', { name: 'Shared links' });
  await expect(links.getByRole('listitem')).toHaveCount(1);
  await links.getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByText('None. “Share” in a conversation’s header makes one.')).toBeVisible();
  expect((await readerPage.goto(url))?.status()).toBe(404);
  await reader.close();
});
