import 'server-only';
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { queryRows, type Database } from '@/lib/db/database';
import { attachments, conversations, type Attachment } from '@/lib/db/schema';
import type { AttachmentPart } from '@/lib/chat/message';
import { cutText, storableText } from '@/lib/text/storable';
import { inspectFile } from './content';
import { attachmentUrl } from './parts';
import type { FileStore } from './file-store';

/** Uploads never sent with a message are removed after this long. */
const UNSENT_LIFETIME_MS = 24 * 60 * 60 * 1000;
const NAME_CHARS = 200;

/** The file part a message carries for an attachment, from what the server found (never what a client claims). */
export function attachmentPart(row: Attachment): AttachmentPart {
  return {
    type: 'file',
    mediaType: row.mediaType,
    filename: row.name,
    url: attachmentUrl(row.id),
    size: row.size,
    ...(row.tokens !== null && { tokens: row.tokens }),
  };
}

/**
 * Keeps an uploaded file for this identity, once its content says it may be attached: the bytes
 * in the store, what it is in the database. Throws a ChatError naming what is wrong with it.
 */
export async function saveAttachment(
  db: Database,
  store: FileStore,
  identityId: string,
  file: { name: string; bytes: Uint8Array },
  maxBytes: number,
): Promise<Attachment> {
  const content = await inspectFile(file.bytes, maxBytes);
  const text = content.kind === 'document' ? content.text : null;
  const id = randomUUID();
  await store.put(id, file.bytes, content.mediaType);
  try {
    const [row] = await db
      .insert(attachments)
      .values({ id, identityId, kind: content.kind, mediaType: content.mediaType, name: fileName(file.name), size: file.bytes.byteLength, text, tokens: text === null ? null : await countTokens(text) })
      .returning();
    return row!;
  } catch (error) {
    await store.delete([id]).catch(() => {});
    throw error;
  }
}

/** A name fit to show: its last path segment, storable, not too long. */
function fileName(name: string): string {
  const base = storableText(name).split(/[\\/]/).at(-1)?.trim();
  return cutText(base || 'file', NAME_CHARS);
}

async function countTokens(text: string): Promise<number> {
  // Loaded on first use: its tables take tens of megabytes.
  const { countTokens } = await import('gpt-tokenizer');
  return countTokens(text);
}

/** One of this identity's attachments. */
export async function findAttachment(db: Database, identityId: string, id: string): Promise<Attachment | undefined> {
  const [row] = await db
    .select()
    .from(attachments)
    .where(and(eq(attachments.id, id), eq(attachments.identityId, identityId)));
  return row;
}

/**
 * This identity's attachments among `ids` that a message of `conversationId` may carry: its own
 * files not yet sent, or already sent in this conversation.
 */
export async function attachmentsFor(db: Database, identityId: string, conversationId: string, ids: string[]): Promise<Attachment[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(attachments)
    .where(and(inArray(attachments.id, ids), eq(attachments.identityId, identityId), or(isNull(attachments.conversationId), eq(attachments.conversationId, conversationId))));
}

/** Ties files just sent to their conversation: from now on they go with it. */
export async function claimAttachments(db: Database, identityId: string, conversationId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(attachments)
    .set({ conversationId })
    .where(and(inArray(attachments.id, ids), eq(attachments.identityId, identityId), isNull(attachments.conversationId)));
}

/** Removes an upload that was never sent (taken out of the composer). False if there is none. */
export async function deleteUnsentAttachment(db: Database, store: FileStore, identityId: string, id: string): Promise<boolean> {
  const gone = await db
    .delete(attachments)
    .where(and(eq(attachments.id, id), eq(attachments.identityId, identityId), isNull(attachments.conversationId)))
    .returning({ id: attachments.id });
  await removeFiles(store, gone.map((row) => row.id));
  return gone.length > 0;
}

/** Removes this identity's uploads left unsent for a day (a closed tab, a changed mind). */
export async function sweepUnsentAttachments(db: Database, store: FileStore, identityId: string): Promise<void> {
  const gone = await db
    .delete(attachments)
    .where(and(eq(attachments.identityId, identityId), isNull(attachments.conversationId), lt(attachments.createdAt, new Date(Date.now() - UNSENT_LIFETIME_MS))))
    .returning({ id: attachments.id });
  await removeFiles(store, gone.map((row) => row.id));
}

/**
 * Deletes a conversation of this identity and then its files' bytes. One statement: the rows go
 * with the conversation (cascade), and it names the files they were. False if there is no such
 * conversation.
 */
export async function deleteConversationAndFiles(db: Database, store: FileStore, identityId: string, conversationId: string): Promise<boolean> {
  const rows = await queryRows<{ conversation: string; file: string | null }>(
    db,
    sql`with gone as (delete from ${conversations} where ${conversations.id} = ${conversationId} and ${conversations.identityId} = ${identityId} returning id)
        select gone.id as conversation, a.id as file from gone left join ${attachments} a on a.conversation_id = gone.id`,
  );
  await removeFiles(store, rows.flatMap((row) => (row.file ? [row.file] : [])));
  return rows.length > 0;
}

/**
 * Deletes files' bytes once their rows are gone. A failure here leaves bytes nobody can reach
 * (their rows are gone), so it is logged, not thrown at a person whose deletion did happen.
 */
export async function removeFiles(store: FileStore, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await store.delete(ids).catch((error: unknown) => console.warn(`[runnel] could not delete ${ids.length} attachment file(s): ${String(error)}`));
}
