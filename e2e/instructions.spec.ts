import { expect, test } from '@playwright/test';
import { fakeRecord, lastAssistant, sendMessage, uniqueId } from './helpers';

test('custom instructions from Settings reach the model; a conversation’s own system prompt, edited from its header, replaces them', async ({ page }) => {
  await page.goto('/settings');
  await page.getByRole('textbox', { name: 'How should the assistant answer?' }).fill('Answer like a pirate.');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  await page.goto('/');
  const first = uniqueId('instructed');
  await sendMessage(page, `Ahoy [[fake id=${first} tokens=2]]`);
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done');
  expect((await fakeRecord(first))?.messages[0]).toEqual({ role: 'system', content: 'Answer like a pirate.' });

  await page.getByRole('navigation', { name: 'This conversation' }).getByRole('button', { name: 'Instructions' }).click();
  const prompt = page.getByRole('textbox', { name: 'System prompt for this conversation' });
  await expect(prompt).toHaveValue('Answer like a pirate.');
  await prompt.fill('Answer in haiku.');
  await page.getByRole('region', { name: 'Conversation instructions' }).getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  const second = uniqueId('haiku');
  await sendMessage(page, `Again [[fake id=${second} tokens=2]]`);
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done');
  const record = await fakeRecord(second);
  expect(record?.messages[0]).toEqual({ role: 'system', content: 'Answer in haiku.' });
  expect(record?.messages.filter((m) => m.role === 'system')).toHaveLength(1);

  // It stays the conversation's after a reload.
  await page.reload();
  await page.getByRole('navigation', { name: 'This conversation' }).getByRole('button', { name: 'Instructions' }).click();
  await expect(page.getByRole('textbox', { name: 'System prompt for this conversation' })).toHaveValue('Answer in haiku.');
});
