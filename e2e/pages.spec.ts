import { expect, test } from '@playwright/test';
import { lastAssistant, sendMessage } from './helpers';

test('an unknown page and another person’s conversation show Runnel’s 404 page, with a way back', async ({ page, browser }) => {
  const missing = await page.goto('/no/such/page');
  expect(missing?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Back to chat' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();

  // Loaded (and so hydrated), as page.goto leaves a page, before typing into it.
  await page.waitForLoadState('load');
  await sendMessage(page, 'Mine alone [[fake tokens=2]]');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done');
  await expect(page).toHaveURL(/\/c\//);
  const stranger = await browser.newContext();
  const strangerPage = await stranger.newPage();
  const response = await strangerPage.goto(page.url());
  expect(response?.status()).toBe(404);
  // The same page as for a page that never existed: nothing says the conversation does.
  await expect(strangerPage.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expect(strangerPage.getByText('Mine alone')).toHaveCount(0);
  expect(await strangerPage.locator('meta[name="robots"]').getAttribute('content')).toMatch(/noindex/);
  await stranger.close();
});

test('on a phone the header’s export actions are in a menu, and the header fits', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto('/');
  await sendMessage(page, 'Phone header [[fake tokens=2]]');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done');

  const header = page.locator('main header');
  const fits = await header.evaluate((element) => element.scrollWidth <= element.clientWidth);
  expect(fits).toBe(true);
  await expect(page.getByRole('link', { name: 'Export Markdown' })).toBeHidden();
  await page.getByRole('button', { name: 'Conversation actions' }).click();
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export JSON' }).click();
  expect((await download).suggestedFilename()).toBe('Phone-header-fake-tokens2.json');

  // On a wide screen the links are in the header itself.
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(page.getByRole('link', { name: 'Export Markdown' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Conversation actions' })).toBeHidden();
});
