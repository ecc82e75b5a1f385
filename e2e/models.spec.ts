import { expect, test } from '@playwright/test';
import { fakeRecord, lastAssistant, sendMessage, uniqueId } from './helpers';

test('pick a model, send, reload: the conversation kept its model', async ({ page }) => {
  const first = uniqueId('pick');
  await page.goto('/');
  const picker = page.getByRole('combobox', { name: 'Model' });
  await expect(picker).toHaveValue('fake-model');
  await picker.selectOption({ label: 'Fake Claude' });
  await sendMessage(page, `Hello Claude [[fake id=${first} tokens=4]]`);
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done');
  await expect(lastAssistant(page)).toContainText('w0 w1 w2 w3');
  await expect(lastAssistant(page).locator('footer')).toContainText('Fake Claude');
  expect(await fakeRecord(first)).toMatchObject({ api: 'anthropic', model: 'fake-claude' });

  await expect(page).toHaveURL(/\/c\//);
  await page.reload();
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue('fake-claude');
  const second = uniqueId('kept');
  await sendMessage(page, `And again [[fake id=${second} tokens=2]]`);
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done');
  expect(await fakeRecord(second)).toMatchObject({ api: 'anthropic' });
  // The whole conversation went along as history.
  expect((await fakeRecord(second))?.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
});

test("a reasoning model's thinking shows as a collapsible part above the answer", async ({ page }) => {
  await page.goto('/');
  await sendMessage(page, '[[fake tokens=3 reasoning=5]]');
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute('data-status', 'done');
  const reasoning = answer.locator('details');
  await expect(reasoning.locator('summary')).toHaveText('Reasoning');
  await expect(reasoning.getByText('think0 think1')).toBeHidden();
  await reasoning.locator('summary').click();
  await expect(reasoning).toContainText('think0 think1 think2 think3 think4');
  await expect(answer).toContainText('w0 w1 w2');

  // Stored with the reply: still there after a reload.
  await page.reload();
  await lastAssistant(page).locator('summary').click();
  await expect(lastAssistant(page).locator('details')).toContainText('think4');
});
