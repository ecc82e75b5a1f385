import { expect, test, type Page } from '@playwright/test';
import { lastAssistant, sendMessage, uniqueId } from './helpers';
import { E2E } from './ports';

/** Collects Content-Security-Policy violations, as the browser reports them, from the page's start. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  const fromConsole: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) fromConsole.push(message.text());
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __violations: string[] }).__violations = seen;
    document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
  return async () => [...fromConsole, ...(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations))];
}

test('every page works under its Content-Security-Policy (nonce, no eval, no framing) with no violation, a highlighted answer included', async ({ page }) => {
  const violations = await watchViolations(page);
  const home = await page.goto('/');
  const csp = home!.headers()['content-security-policy']!;
  expect(csp).toMatch(/script-src 'self' 'nonce-[\w+/=]+' 'strict-dynamic'/);
  expect(csp).not.toContain('unsafe-eval');
  expect(csp).toContain("frame-ancestors 'none'");
  expect(home!.headers()).toMatchObject({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'strict-origin-when-cross-origin', 'x-frame-options': 'DENY' });
  expect(home!.headers()['permissions-policy']).toContain('camera=()');

  // An answer with code, so the lazily loaded markdown renderer and highlighter run too.
  await sendMessage(page, 'Some code please [[fake tokens=40 text=markdown]]');
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done');
  await expect(lastAssistant(page).locator('pre').first()).toBeVisible();
  await page.waitForURL(/\/c\//);
  for (const path of [page.url(), '/c/no-such-conversation', '/settings', '/usage']) {
    await page.goto(path);
    await page.waitForLoadState('networkidle');
  }
  expect(await violations()).toEqual([]);

  const api = await page.request.get('/api/health');
  expect(api.headers()).toMatchObject({ 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'; frame-ancestors 'none'" });
  // HSTS only where the browser came over HTTPS (here: a proxy saying so).
  expect((await page.request.get('/')).headers()['strict-transport-security']).toBeUndefined();
  expect((await page.request.get('/', { headers: { 'x-forwarded-proto': 'https' } })).headers()['strict-transport-security']).toMatch(/max-age=\d+/);
});

test('hostile model output: script and data links are inert text, links open with noopener noreferrer, a remote image loads only when asked', async ({ page }) => {
  const exfiltration: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/exfil')) exfiltration.push(request.url());
  });
  await page.goto('/');
  await sendMessage(page, `[[fake id=${uniqueId('untrusted')} tokens=6 text=untrusted]]`);
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute('data-status', 'done');
  await expect(answer).toContainText('The end.');

  for (const text of ['run me', 'data link', 'vb link']) {
    await expect(answer.getByText(text)).toBeVisible();
    await expect(answer.getByRole('link', { name: text })).toHaveCount(0);
  }
  const hrefs = await answer.locator('a').evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
  expect(hrefs.filter((href) => /^\s*(javascript|data|vbscript):/i.test(href))).toEqual([]);
  const safe = answer.getByRole('link', { name: 'a safe link' });
  await expect(safe).toHaveAttribute('href', 'https://example.com/docs');
  await expect(safe).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(safe).toHaveAttribute('target', '_blank');

  // Not fetched on sight...
  await page.waitForTimeout(500);
  expect(exfiltration).toEqual([]);
  await expect(answer.locator('img')).toHaveCount(0);
  // ...only when the reader asks, without a referrer.
  const show = answer.getByRole('button', { name: /Show image “tracking pixel” from 127\.0\.0\.1:4310/ });
  const requested = page.waitForRequest((request) => request.url().includes('/exfil'));
  await show.click();
  expect((await requested).headers()['referer'] ?? '').toBe('');
  await expect(answer.locator('img')).toHaveAttribute('src', `http://127.0.0.1:${E2E.fakePort}/exfil?conversation=secret-words`);
});
