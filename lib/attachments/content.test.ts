import { describe, expect, test } from 'vitest';
import { GIF_BYTES, pdfWithText, PNG_BYTES } from '@/lib/testing/sample-files';
import { inspectFile } from './content';

const MB = 1024 * 1024;
const inspect = (bytes: Uint8Array | string, max = 10 * MB) => inspectFile(typeof bytes === 'string' ? Buffer.from(bytes) : bytes, max);
const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: { code: string; message: string }) => ({ code: error.code, message: error.message }));

describe('what a file is, by its content', () => {
  test('images by their signature', async () => {
    expect(await inspect(PNG_BYTES)).toEqual({ kind: 'image', mediaType: 'image/png' });
    expect(await inspect(GIF_BYTES)).toEqual({ kind: 'image', mediaType: 'image/gif' });
  });

  test("a PDF's text is read", async () => {
    expect(await inspect(pdfWithText('The secret word is marmalade.'))).toEqual({ kind: 'document', mediaType: 'application/pdf', text: 'The secret word is marmalade.' });
  });

  test('UTF-8 text is a text document', async () => {
    expect(await inspect('\uFEFFname,city\nAna,Zürich\n')).toEqual({ kind: 'document', mediaType: 'text/plain', text: 'name,city\nAna,Zürich' });
  });

  test('refused: binaries, other formats, empty files, the oversized', async () => {
    expect(await refusal(inspect(Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00])))).toMatchObject({ code: 'unsupported_file', message: /this file is EXE/ });
    expect(await refusal(inspect(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])))).toMatchObject({ code: 'unsupported_file' });
    expect(await refusal(inspect(Buffer.from([0xff, 0xfe, 0xfd, 0x00, 0x01])))).toMatchObject({ code: 'unsupported_file', message: /not UTF-8/ });
    expect(await refusal(inspect('text\u0000with a NUL'))).toMatchObject({ code: 'unsupported_file', message: /binary/ });
    expect(await refusal(inspect(''))).toMatchObject({ code: 'invalid_request', message: 'The file is empty.' });
    expect(await refusal(inspect('x'.repeat(2000), 1000))).toMatchObject({ code: 'payload_too_large', message: 'Files can be at most 1000 bytes.' });
    expect(await refusal(inspect(Buffer.concat([PNG_BYTES, Buffer.alloc(5 * MB)])))).toMatchObject({ code: 'payload_too_large', message: 'Images can be at most 5 MB.' });
    expect(await refusal(inspect('   \n\t '))).toMatchObject({ code: 'invalid_request', message: /no text to read/ });
    expect(await refusal(inspect(Buffer.from('%PDF-1.4\ngarbage that is no PDF at all\n%%EOF')))).toMatchObject({ code: 'invalid_request', message: /cannot be read/ });
  });
});
