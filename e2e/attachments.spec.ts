import { expect, test, type Page } from '@playwright/test';
import { pdfWithText, PNG_BYTES } from '@/lib/testing/sample-files';
import { fakeRecord, lastAssistant, sendMessage, uniqueId } from './helpers';

const filesToSend = (page: Page) => page.getByRole('list', { name: 'Files to send' });
const attached = (page: Page) => page.getByRole('list', { name: 'Attached files' });

type HandOver = 'paste' | 'drop' | 'drop elsewhere';

/**
 * Hands the composer a PNG the way a browser does on paste or drop: an event carrying a
 * DataTransfer. "drop elsewhere" drops it on the page's header, away from the composer.
 */
async function handOver(page: Page, how: HandOver, name: string) {
  // Away from the composer, a drop is taken by a listener the page adds once it is hydrated: it
  // is there when the page accepts a file dragged over its header.
  if (how === 'drop elsewhere') await expect.poll(() => page.evaluate(acceptsDraggedFile)).toBe(true);
  await page.evaluate(
    ({ how, name, base64 }) => {
      const data = new DataTransfer();
      data.items.add(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name, { type: 'image/png' }));
      if (how === 'paste') {
        document.querySelector('textarea[aria-label="Message"]')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
        return;
      }
      const target = document.querySelector(how === 'drop' ? 'form' : 'main header')!;
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    },
    { how, name, base64: PNG_BYTES.toString('base64') },
  );
}

function acceptsDraggedFile(): boolean {
  const data = new DataTransfer();
  data.items.add(new File(['probe'], 'probe.txt'));
  const event = new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true });
  document.querySelector('main header')!.dispatchEvent(event);
  return event.defaultPrevented;
}

/** Picks a file the way a person does: the attach button, then the file chooser. */
async function pick(page: Page, file: { name: string; mimeType: string; buffer: Buffer }) {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Attach files' }).click()]);
  await chooser.setFiles(file);
}

/** Whether an image on the page has loaded its pixels (the server served a real image). */
const loadedWidth = (page: Page, name: string) => attached(page).getByRole('img', { name }).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth);

const WHERE: Record<HandOver, string> = { paste: 'pasted into the composer', drop: 'dropped on the composer', 'drop elsewhere': 'dropped elsewhere on the page' };

for (const how of ['paste', 'drop', 'drop elsewhere'] as const) {
  test(`an image ${WHERE[how]} reaches the model, and stays with the message`, async ({ page }) => {
    await page.goto('/');
    const name = `${how.replace(' ', '-')}.png`;
    await handOver(page, how, name);
    await expect(filesToSend(page).getByRole('img', { name })).toBeVisible();
    await expect(filesToSend(page).getByRole('listitem')).toHaveAttribute('data-state', 'ready');

    const id = uniqueId(`image-${how.replace(' ', '-')}`);
    await sendMessage(page, `What colour is this? [[fake id=${id} tokens=2]]`);
    await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done');
    await expect(filesToSend(page)).toHaveCount(0);
    expect((await fakeRecord(id))?.messages).toEqual([
      { role: 'user', content: `What colour is this? [[fake id=${id} tokens=2]]`, images: [{ mediaType: 'image/png', bytes: PNG_BYTES.length }] },
    ]);
    await expect.poll(() => loadedWidth(page, name)).toBe(16);

    // Stored with the message: there after a reload too.
    await page.reload();
    await expect.poll(() => loadedWidth(page, name)).toBe(16);
  });
}

test("a PDF picked with the attach button shows its size in tokens, and its text reaches the model", async ({ page }) => {
  await page.goto('/');
  await pick(page, { name: 'notes.pdf', mimeType: 'application/pdf', buffer: pdfWithText('The secret word is marmalade.') });
  const chip = filesToSend(page).getByRole('listitem');
  await expect(chip).toContainText('notes.pdf');
  await expect(chip).toContainText(/\d+ tokens/);

  const id = uniqueId('pdf');
  await sendMessage(page, `What is the secret word? [[fake id=${id} tokens=2]]`);
  await expect(lastAssistant(page)).toHaveAttribute('data-status', 'done');
  await expect(attached(page)).toContainText('notes.pdf');
  expect((await fakeRecord(id))?.messages[0]?.content).toBe(`<file name="notes.pdf">\nThe secret word is marmalade.\n</file>\n\nWhat is the secret word? [[fake id=${id} tokens=2]]`);
});

test('a file that cannot be attached says why, and can be taken out', async ({ page }) => {
  await page.goto('/');
  await pick(page, { name: 'holiday.png', mimeType: 'image/png', buffer: Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00', 'latin1') });
  await expect(filesToSend(page)).toContainText('holiday.png: Runnel can attach PNG, JPEG, WebP and GIF images, PDFs and text files; this file is EXE.');
  await expect(page.getByRole('button', { name: 'Send' })).toBeDisabled();
  await page.getByRole('button', { name: 'Remove holiday.png' }).click();
  await expect(filesToSend(page)).toHaveCount(0);
});
