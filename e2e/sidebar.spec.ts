import { expect, test, type Page } from '@playwright/test';
import { lastAssistant, sendMessage } from './helpers';

const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Conversations' });

async function chat(page: Page, text: string) {
  await sendMessage(page, text);
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done');
}

test('the sidebar lists conversations newest first, opens, renames, searches and deletes them', async ({ page }) => {
  await page.goto('/');
  await expect(sidebar(page)).toContainText('No conversations yet.');
  await chat(page, 'Alpha topic [[fake tokens=2]]');
  await expect(sidebar(page).getByRole('link')).toHaveText(['Alpha topic [[fake tokens=2]]']);

  await page.getByRole('link', { name: '+ New chat' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('[data-role]')).toHaveCount(0);
  await chat(page, 'Beta topic [[fake tokens=2]]');
  await expect(sidebar(page).getByRole('link')).toHaveText(['Beta topic [[fake tokens=2]]', 'Alpha topic [[fake tokens=2]]']);

  // Open
  await sidebar(page).getByRole('link', { name: /Alpha topic/ }).click();
  await expect(page.locator('[data-role="user"]')).toHaveText('Alpha topic [[fake tokens=2]]');
  await expect(sidebar(page).getByRole('link', { name: /Alpha topic/ })).toHaveAttribute('aria-current', 'page');

  // Rename, and it stays renamed
  await sidebar(page).getByRole('button', { name: /Rename Alpha topic/ }).click();
  await sidebar(page).getByRole('textbox', { name: 'Conversation title' }).fill('Sourdough notes');
  await sidebar(page).getByRole('button', { name: 'Save' }).click();
  await expect(sidebar(page).getByRole('link', { name: 'Sourdough notes' })).toBeVisible();
  await page.reload();
  await expect(sidebar(page).getByRole('link', { name: 'Sourdough notes' })).toBeVisible();

  // Search titles and message text
  const search = page.getByRole('searchbox', { name: 'Search conversations' });
  await search.fill('sourdough');
  await expect(sidebar(page).getByRole('link')).toHaveText(['Sourdough notes']);
  await search.fill('beta topic');
  await expect(sidebar(page).getByRole('link')).toHaveText(['Beta topic [[fake tokens=2]]']);
  await search.fill('nothing like this');
  await expect(sidebar(page)).toContainText('Nothing matches.');
  await search.fill('');

  // Delete, after confirming
  await sidebar(page).getByRole('button', { name: /Delete Beta topic/ }).click();
  await expect(sidebar(page)).toContainText('This cannot be undone.');
  await sidebar(page).getByRole('button', { name: 'Cancel' }).click();
  await expect(sidebar(page).getByRole('link')).toHaveCount(2);
  await sidebar(page).getByRole('button', { name: /Delete Beta topic/ }).click();
  await sidebar(page).getByRole('button', { name: 'Delete', exact: true }).click();
  // Gone once the server has deleted it (while asking, the item shows no link either).
  await expect(sidebar(page).getByRole('listitem')).toHaveCount(1);
  await expect(sidebar(page).getByRole('link')).toHaveText(['Sourdough notes']);
  await page.reload();
  await expect(sidebar(page).getByRole('link')).toHaveText(['Sourdough notes']);
});

test('on a phone the conversations are a drawer', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto('/');
  await chat(page, 'Phone chat [[fake tokens=2]]');
  await expect(sidebar(page)).toBeHidden();
  await page.getByRole('button', { name: 'Conversations' }).click();
  await expect(sidebar(page)).toBeVisible();
  await sidebar(page).getByRole('link', { name: /Phone chat/ }).click();
  await expect(sidebar(page)).toBeHidden();
});
