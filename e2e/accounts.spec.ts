import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { lastAssistant, sendMessage } from './helpers';
import { E2E } from './ports';

const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Conversations' });
const email = (name: string) => `${name}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}@example.com`;

async function chat(page: Page, text: string) {
  await sendMessage(page, text);
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done');
}

/** Chromium's virtual authenticator (CDP WebAuthn): a passkey device that says yes. */
async function addPasskeyDevice(context: BrowserContext, page: Page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { count: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials.length };
}

/** The whole redirect flow through the OIDC provider's own login and consent pages. */
async function signInWithSso(page: Page, base: string, address: string) {
  await page.goto(`${base}/sign-in`);
  await page.getByRole('button', { name: 'Continue with Company SSO' }).click();
  await expect(page).toHaveURL(new RegExp(`^${E2E.oidcUrl}/interaction/`));
  await page.locator('input[name="login"]').fill(address);
  await page.locator('input[name="password"]').fill('any');
  await page.locator('button[type="submit"]').click();
  // Consent, the first time this person meets the client.
  await page.getByRole('button', { name: 'Continue' }).click();
}

test.describe('accounts', () => {
  test.use({ baseURL: E2E.accountsUrl });

  test('a guest makes an account with a passkey, keeps the conversation, signs out and back in with the passkey', async ({ context, page }) => {
    const device = await addPasskeyDevice(context, page);
    await page.goto('/');
    await chat(page, 'Guest notes [[fake tokens=3]]');
    await expect(sidebar(page).getByRole('link', { name: 'Guest notes [[fake tokens=3]]' })).toBeVisible();

    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('textbox', { name: 'Your name' }).fill('Ana');
    await page.getByRole('button', { name: 'Create account with a passkey' }).click();
    await expect(page).toHaveURL(`${E2E.accountsUrl}/`);
    expect(await device.count()).toBe(1);
    await expect(sidebar(page).getByRole('link', { name: 'Guest notes [[fake tokens=3]]' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Account' })).toBeVisible();

    await page.getByRole('link', { name: 'Account' }).click();
    await expect(page.getByText('Signed in as Ana')).toBeVisible();
    await expect(page.getByRole('list', { name: 'Passkeys' }).getByRole('listitem')).toHaveCount(1);
    await page.getByRole('button', { name: 'Sign out', exact: true }).last().click();
    await expect(page).toHaveURL(`${E2E.accountsUrl}/`);
    await expect(sidebar(page)).toContainText('No conversations yet.');

    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect(page).toHaveURL(`${E2E.accountsUrl}/`);
    await expect(sidebar(page).getByRole('link', { name: 'Guest notes [[fake tokens=3]]' })).toBeVisible();
  });

  test('a conversation started on the laptop opens on the phone once both sign in through the OIDC provider', async ({ browser }) => {
    // Two browsers, a chat and two sign-ins through the provider's pages: about 14 s alone, and CI
    // saw 31 s while other specs started their servers beside it.
    test.slow();
    const person = email('bo');
    const laptop = await browser.newContext({ baseURL: E2E.accountsUrl });
    const phone = await browser.newContext({ baseURL: E2E.accountsUrl, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const laptopPage = await laptop.newPage();
    await laptopPage.goto('/');
    await chat(laptopPage, 'Trip plan [[fake tokens=4]]');
    await expect(laptopPage).toHaveURL(/\/c\//);
    const conversationUrl = laptopPage.url();
    await signInWithSso(laptopPage, E2E.accountsUrl, person);
    await expect(laptopPage).toHaveURL(`${E2E.accountsUrl}/`);

    const phonePage = await phone.newPage();
    // Before signing in, the phone is another guest: the laptop's conversation is not there.
    const before = await phonePage.goto(conversationUrl);
    expect(before?.status()).toBe(404);
    await signInWithSso(phonePage, E2E.accountsUrl, person);
    await expect(phonePage).toHaveURL(`${E2E.accountsUrl}/`);
    await phonePage.goto(conversationUrl);
    await expect(phonePage.locator('[data-role="user"]')).toHaveText('Trip plan [[fake tokens=4]]');
    await expect(phonePage.locator('[data-role="assistant"]')).toContainText('w0 w1 w2 w3');

    // Signing out everywhere from the phone ends the laptop's session too.
    await phonePage.goto('/account');
    await phonePage.getByRole('button', { name: 'Sign out everywhere' }).click();
    await expect(phonePage).toHaveURL(`${E2E.accountsUrl}/sign-in`);
    await laptopPage.goto(conversationUrl);
    await expect(laptopPage.getByRole('heading', { name: /404|not found/i })).toBeVisible();
    await laptop.close();
    await phone.close();
  });
});

test.describe('members only (RUNNEL_AUTH=required, RUNNEL_ALLOWED_EMAILS=example.com)', () => {
  test.use({ baseURL: E2E.membersUrl });

  test('a guest is shown sign-in and refused the chat and the API', async ({ page, request }) => {
    await page.goto('/');
    await expect(page).toHaveURL(`${E2E.membersUrl}/sign-in`);
    await expect(page.getByText('This Runnel is for its members: sign in to chat.')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Create account with a passkey' })).toHaveCount(0);

    const chatResponse = await request.post('/api/chat', { data: { id: 'c-members', messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: 'hi' }] }] } });
    expect(chatResponse.status()).toBe(401);
    expect((await chatResponse.json()).error.code).toBe('sign_in_required');
    const apiResponse = await request.post('/api/v1/chat/completions', { data: { model: 'fake-model', messages: [{ role: 'user', content: 'hi' }] } });
    expect(apiResponse.status()).toBe(401);
  });

  test('an allowlisted email gets in and chats; another is turned away', async ({ page }) => {
    await signInWithSso(page, E2E.membersUrl, email('ann'));
    await expect(page).toHaveURL(`${E2E.membersUrl}/`);
    await chat(page, 'Members only [[fake tokens=2]]');
    await expect(lastAssistant(page)).toContainText('w0 w1');

    await page.context().clearCookies();
    await signInWithSso(page, E2E.membersUrl, 'eve@evil.test');
    await expect(page).toHaveURL(/\/sign-in\?error=EMAIL_NOT_ALLOWED/);
    await expect(page.getByText(/That email address may not sign in here/)).toBeVisible();
    await page.goto('/');
    await expect(page).toHaveURL(`${E2E.membersUrl}/sign-in`);
  });
});
