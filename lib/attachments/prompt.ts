import 'server-only';
import type { PromptImage, PromptMessage } from '@/lib/ai/providers/types';
import { messageText, type ChatPart } from '@/lib/chat/message';
import type { Attachment } from '@/lib/db/schema';
import { ChatError } from '@/lib/errors';
import { attachmentIdOf } from './parts';
import type { FileStore } from './file-store';

/** What the model is given of a file: a document's text, an image. */
type PromptFile = { name: string; text: string } | { name: string; image: PromptImage };

/** What the model is given of each file a conversation's messages carry, by attachment id. */
export type PromptFiles = Map<string, PromptFile>;

type Turn = { role: PromptMessage['role']; parts: ChatPart[] };

/** The attachment ids a message's parts name (stored parts, or a request's). */
export const attachmentIds = (parts: readonly { type: string; url?: string }[]): string[] =>
  parts.flatMap((part) => {
    const id = part.type === 'file' ? attachmentIdOf(part.url ?? '') : undefined;
    return id ? [id] : [];
  });

/** Reads what the model needs of these attachments: a document's text, an image's bytes. */
export async function promptFiles(store: FileStore, rows: Attachment[]): Promise<PromptFiles> {
  const entries = await Promise.all(
    rows.map(async (row): Promise<[string, PromptFile] | undefined> => {
      if (row.kind === 'document') return [row.id, { name: row.name, text: row.text ?? '' }];
      const data = await store.get(row.id);
      // Bytes gone from the store (deleted by hand, a lost disk): the message goes without them.
      return data && [row.id, { name: row.name, image: { mediaType: row.mediaType, data } }];
    }),
  );
  return new Map(entries.filter((entry) => entry !== undefined));
}

/**
 * The turns as the model sees them, after the conversation's system prompt if it has one. A file
 * the identity no longer has (deleted, or named by an imported conversation) is left out.
 */
export function toPrompt(path: Turn[], systemPrompt: string | null, files: PromptFiles = new Map()): PromptMessage[] {
  const turns = path.flatMap((message): PromptMessage[] => {
    const documents: string[] = [];
    const images: PromptImage[] = [];
    for (const id of attachmentIds(message.parts)) {
      const file = files.get(id);
      if (file && 'text' in file) documents.push(documentBlock(file.name, file.text));
      else if (file) images.push(file.image);
    }
    const text = messageText(message);
    const content = [...documents, text].filter(Boolean).join('\n\n');
    if (!content && images.length === 0) return [];
    return [{ role: message.role, content, ...(images.length > 0 && { images }) }];
  });
  return systemPrompt ? [{ role: 'system', content: systemPrompt }, ...turns] : turns;
}

/** A document as the model reads it: named, and fenced so its text is not taken for the person's. */
const documentBlock = (name: string, text: string) => `<file name="${name.replace(/"/g, "'")}">\n${text}\n</file>`;

/** Refuses images for a model that takes none, before anything is sent upstream. */
export function assertModelSees(prompt: PromptMessage[], model: { label: string; images: boolean }): void {
  if (model.images || !prompt.some((message) => message.images?.length)) return;
  throw new ChatError('images_unsupported', `${model.label} does not take images. Choose a model that does, or remove the images.`);
}

/** Whether two prompts' images are the same: an early request was sent with the right ones. */
export function sameImages(a: PromptImage[] = [], b: PromptImage[] = []): boolean {
  return a.length === b.length && a.every((image, i) => sameImage(image, b[i]!));
}

function sameImage(a: PromptImage, b: PromptImage): boolean {
  if ('url' in a || 'url' in b) return 'url' in a && 'url' in b && a.url === b.url;
  return a.mediaType === b.mediaType && Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(b.data);
}
