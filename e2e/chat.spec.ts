import { expect, test } from '@playwright/test';
import { expectedText, parseScenario } from './fake-upstream/scenario';
import { errorNotice, expectUpstreamDisconnected, fakeRecord, lastAssistant, sendMessage, uniqueId } from './helpers';
import { E2E } from './ports';

test('the answer grows on screen token by token, then is marked done', async ({ page }) => {
  await page.goto('/');
  const id = uniqueId('grow');
  // Six seconds of answer: long enough that a busy machine still sees it mid-way.
  const prompt = `Count for me [[fake id=${id} tokens=150 delay=40]]`;
  await sendMessage(page, prompt);

  await expect(page.locator('[data-role="user"]')).toHaveText(prompt);
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute('data-status', 'streaming');
  await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible();

  await expect(answer).toContainText('w5 ');
  const early = (await answer.innerText()).length;
  await expect(answer).not.toContainText('w149');
  await expect(answer).toHaveAttribute('data-status', 'done', { timeout: 15_000 });
  expect((await answer.innerText()).length).toBeGreaterThan(early);
  await expect(answer).toContainText(expectedText(parseScenario('[[fake tokens=150]]')).trim());
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
  await expect(page.locator('[aria-live="polite"]')).toContainText('w149');
});

test('Stop keeps the partial answer, marks it stopped and closes the upstream request', async ({ page }) => {
  await page.goto('/');
  const id = uniqueId('stop');
  await sendMessage(page, `Tell me a long story [[fake id=${id} tokens=2000 delay=25]]`);
  const answer = lastAssistant(page);
  await expect(answer).toContainText('w10 ');

  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(answer).toHaveAttribute('data-status', 'stopped');
  await expect(answer).toContainText('Stopped');
  await expectUpstreamDisconnected(id);

  const kept = await answer.innerText();
  expect(kept).toContain('w10 ');
  await page.waitForTimeout(300);
  expect(await answer.innerText()).toBe(kept);
  expect((await fakeRecord(id))?.tokensSent).toBeLessThan(2000);
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
});

test('navigating away mid-answer cancels the upstream request', async ({ page }) => {
  await page.goto('/');
  const id = uniqueId('leave');
  await sendMessage(page, `[[fake id=${id} tokens=2000 delay=25]]`);
  await expect(lastAssistant(page)).toContainText('w5 ');
  await page.goto('about:blank');
  await expectUpstreamDisconnected(id);
});

test('an upstream failure shows the error notice, and Retry then succeeds', async ({ page }) => {
  await page.goto('/');
  const id = uniqueId('fail');
  await sendMessage(page, `[[fake id=${id} status=500 once tokens=5]]`);

  const alert = errorNotice(page);
  await expect(alert).toContainText('The model provider failed');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'error');

  await alert.getByRole('button', { name: 'Retry' }).click();
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done');
  await expect(lastAssistant(page)).toContainText('w0 w1 w2 w3 w4');
  await expect(alert).toBeHidden();
  await expect(page.locator('[data-role="assistant"]')).toHaveCount(1);
});

test('a failure mid-answer keeps the text so far, and Retry replaces it', async ({ page }) => {
  await page.goto('/');
  const id = uniqueId('midfail');
  await sendMessage(page, `[[fake id=${id} tokens=8 delay=20 errorEvent=4 once]]`);
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute('data-status', 'error');
  await expect(answer).toContainText('w0 w1 w2 w3');
  await expect(errorNotice(page)).toBeVisible();

  await page.getByRole('button', { name: 'Retry' }).click();
  await expect(answer).toHaveAttribute('data-status', 'done');
  await expect(answer).toContainText('w7');
});

test('the composer: Shift+Enter is a new line, IME composition never sends, Enter sends', async ({ page }) => {
  await page.goto('/');
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill('first line');
  await box.press('Shift+Enter');
  await box.pressSequentially('second line');
  await expect(box).toHaveValue('first line\nsecond line');

  // An Enter that confirms an IME candidate arrives as a keydown with isComposing set.
  await box.evaluate((element) =>
    element.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true, cancelable: true })),
  );
  await expect(page.locator('[data-role="user"]')).toHaveCount(0);

  await box.press('Enter');
  await expect(page.locator('[data-role="user"]')).toHaveText('first line\nsecond line');
  await expect(box).toHaveValue('');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done');
});

test('with no API key, the offline demo model answers', async ({ page }) => {
  await page.goto(E2E.offlineUrl);
  await expect(page.locator('header')).toContainText('Offline demo');
  await sendMessage(page, 'What is Runnel?');
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute('data-status', 'done', { timeout: 15_000 });
  await expect(answer).toContainText('Offline demo.');
  await expect(answer.locator('blockquote')).toContainText('What is Runnel?');
  await expect(answer.locator('pre')).toContainText('OPENAI_API_KEY=sk-...');
  await expect(answer.getByRole('button', { name: /copy/i }).first()).toBeVisible();
});
