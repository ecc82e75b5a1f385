import 'server-only';
import { fileTypeFromBuffer } from 'file-type';
import { ChatError } from '@/lib/errors';
import { storableText } from '@/lib/text/storable';
import { DOCUMENT_MAX_CHARS, formatBytes, IMAGE_MAX_BYTES, isImageType } from './limits';

/** What a file is, found from its bytes: never from its name or the type its sender declared. */
export type FileContent = { kind: 'image'; mediaType: string } | { kind: 'document'; mediaType: 'application/pdf' | 'text/plain'; text: string };

const UNSUPPORTED = 'Runnel can attach PNG, JPEG, WebP and GIF images, PDFs and text files';

/** Says what a file is, or throws a ChatError naming why it cannot be attached. */
export async function inspectFile(bytes: Uint8Array, maxBytes: number): Promise<FileContent> {
  if (bytes.byteLength === 0) throw new ChatError('invalid_request', 'The file is empty.');
  if (bytes.byteLength > maxBytes) throw fileTooLarge(maxBytes);
  const detected = await fileTypeFromBuffer(bytes);
  if (detected && isImageType(detected.mime)) {
    if (bytes.byteLength > IMAGE_MAX_BYTES) throw tooLarge('Images', IMAGE_MAX_BYTES);
    return { kind: 'image', mediaType: detected.mime };
  }
  if (detected?.mime === 'application/pdf') return { kind: 'document', mediaType: 'application/pdf', text: documentText(await pdfText(bytes)) };
  // Anything else with a signature (archives, executables, BMP, video…) is no text file either.
  if (detected) throw new ChatError('unsupported_file', `${UNSUPPORTED}; this file is ${detected.ext.toUpperCase()}.`);
  return { kind: 'document', mediaType: 'text/plain', text: documentText(plainText(bytes)) };
}

const tooLarge = (what: string, max: number) => new ChatError('payload_too_large', `${what} can be at most ${formatBytes(max)}.`);
export const fileTooLarge = (max: number) => tooLarge('Files', max);

/** Text, if the bytes are UTF-8 without the control characters that mark a binary file. */
function plainText(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ChatError('unsupported_file', `${UNSUPPORTED}; this file is neither (it is not UTF-8 text).`);
  }
  if (/[\u0000-\u0008\u000e-\u001f]/.test(text)) throw new ChatError('unsupported_file', `${UNSUPPORTED}; this file looks binary.`);
  return text;
}

async function pdfText(bytes: Uint8Array): Promise<string> {
  // Loaded on first use: the PDF reader is large, and most messages carry no PDF.
  const { extractText, getDocumentProxy } = await import('unpdf');
  try {
    // A plain copy: the reader detaches the buffer it is given, and refuses a Node Buffer.
    const document = await getDocumentProxy(new Uint8Array(bytes));
    const { text } = await extractText(document, { mergePages: true });
    return text;
  } catch {
    throw new ChatError('invalid_request', 'This PDF cannot be read: it may be damaged or protected by a password.');
  }
}

function documentText(raw: string): string {
  const text = storableText(raw).trim();
  if (!text) throw new ChatError('invalid_request', 'This file has no text to read (a scanned PDF has only pictures of text).');
  if (text.length > DOCUMENT_MAX_CHARS) {
    throw new ChatError('payload_too_large', `This file has more text than a conversation can take: ${text.length.toLocaleString('en')} characters, at most ${DOCUMENT_MAX_CHARS.toLocaleString('en')}.`);
  }
  return text;
}
