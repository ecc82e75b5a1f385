import { expect, test } from '@playwright/test';
import { expectUpstreamDisconnected, lastAssistant, sendMessage, uniqueId } from './helpers';

const composer = (page: import('@playwright/test').Page) => page.getByRole('textbox', { name: 'Message' });

test('keyboard shortcuts: help, focus, search, sidebar, copy, stop, new chat; single keys never taken from typing', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/');
  await sendMessage(page, 'Copy me [[fake tokens=3]]');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done');
  await page.locator('body').click({ position: { x: 600, y: 300 } });

  // "?" opens the list of shortcuts, Esc closes it.
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  await expect(help.getByRole('row')).toHaveCount(7);
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
  await page.keyboard.press('Control+/');
  await expect(help).toBeVisible();
  await help.getByRole('button', { name: 'Close' }).click();

  // "/" focuses the message box; typed there, "/" and "?" are characters.
  await page.locator('body').click({ position: { x: 600, y: 300 } });
  await page.keyboard.press('/');
  await expect(composer(page)).toBeFocused();
  await page.keyboard.type('a/b?');
  await expect(composer(page)).toHaveValue('a/b?');
  await expect(help).toBeHidden();
  await composer(page).fill('');

  // Ctrl+K: search; Ctrl+Shift+S: the sidebar away and back.
  await page.keyboard.press('Control+K');
  await expect(page.getByRole('searchbox', { name: 'Search conversations' })).toBeFocused();
  await page.keyboard.press('Control+Shift+S');
  await expect(page.getByRole('navigation', { name: 'Conversations' })).toBeHidden();
  await page.keyboard.press('Control+Shift+S');
  await expect(page.getByRole('navigation', { name: 'Conversations' })).toBeVisible();

  // Ctrl+Shift+C copies the last answer.
  await page.keyboard.press('Control+Shift+C');
  await expect(page.getByRole('status').filter({ hasText: 'Copied the last answer.' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('w0 w1 w2 ');

  // Esc stops an answer in flight, even from the message box, and the upstream request is closed.
  const id = uniqueId('esc');
  await sendMessage(page, `Long [[fake id=${id} tokens=100000 delay=10]]`);
  await expect(lastAssistant(page)).toContainText('w3 ');
  await page.keyboard.press('Escape');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'stopped');
  await expectUpstreamDisconnected(id);

  // Ctrl+Shift+O: a new chat.
  await page.keyboard.press('Control+Shift+O');
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('[data-role]')).toHaveCount(0);
});

test('controls name their shortcuts for screen readers', async ({ page }) => {
  await page.goto('/');
  await expect(composer(page)).toHaveAttribute('aria-keyshortcuts', '/');
  await expect(page.getByRole('searchbox', { name: 'Search conversations' })).toHaveAttribute('aria-keyshortcuts', 'Control+K');
  await expect(page.getByRole('link', { name: '+ New chat' })).toHaveAttribute('aria-keyshortcuts', 'Control+Shift+O');
});
