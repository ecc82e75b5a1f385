import { expect, type Page } from '@playwright/test';
import type { RequestRecord } from './fake-upstream/server';
import { E2E } from './ports';

export async function sendMessage(page: Page, text: string) {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
}

export const lastAssistant = (page: Page) => page.locator('[data-role="assistant"]').last();

/** What the fake upstream recorded of the request tagged `id`. */
export async function fakeRecord(id: string): Promise<RequestRecord | undefined> {
  const response = await fetch(`${E2E.fakeControlUrl}/${encodeURIComponent(id)}`);
  return response.ok ? ((await response.json()) as RequestRecord) : undefined;
}

/** Waits until the fake upstream saw the client of request `id` disconnect. */
export async function expectUpstreamDisconnected(id: string) {
  await expect.poll(async () => (await fakeRecord(id))?.disconnectedAt, { timeout: 5000 }).toBeGreaterThan(0);
}

/** A per-test tag, so parallel tests and retries never share fake records. */
export const uniqueId = (name: string) => `${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

/** The chat's error notice (Next adds an empty role=alert route announcer of its own). */
export const errorNotice = (page: Page) => page.getByRole('alert').filter({ has: page.getByRole('button', { name: 'Retry' }) });
