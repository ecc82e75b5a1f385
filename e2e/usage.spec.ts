import { expect, test } from '@playwright/test';
import { lastAssistant, sendMessage } from './helpers';

test('under each answer: model, tokens in and out, cost, time to first token, speed; a stopped answer is counted too', async ({ page }) => {
  await page.goto('/');
  await sendMessage(page, 'Price me [[fake tokens=40 delay=10]]');
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute('data-status', 'done');
  // 10 in, 40 out at $0.50 / $1.50 per million tokens.
  await expect(answer.getByTestId('usage')).toHaveText(/^10 in \/ 40 out · \$0\.000065 · \d+ ms to first token · [\d.]+ tok\/s$/);

  await sendMessage(page, 'Stop me [[fake tokens=100000 delay=10]]');
  await expect(lastAssistant(page)).toContainText('w5');
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'stopped');
  // Counted with the tokenizer once the stream has ended; shown from the stored reply.
  await page.reload();
  await expect(lastAssistant(page).getByTestId('usage')).toHaveText(/^~\d+ in \/ ~\d+ out · \$[\d.e-]+/);

  await page.goto('/usage');
  const perModel = page.getByRole('region', { name: 'Per model' });
  await expect(perModel.getByRole('row', { name: /fake-model/ })).toContainText(/fake-model\s*2\s*~/);
  await expect(page.getByRole('region', { name: 'Per day' }).getByRole('row', { name: /Total/ })).toBeVisible();
});
