import 'server-only';
import { randomBytes } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import type { Database } from '@/lib/db/database';
import { conversationMessages, getConversation } from '@/lib/db/queries';
import { conversations, shares, type Share } from '@/lib/db/schema';
import { ChatError } from '@/lib/errors';
import { attachmentsOf, messageText } from './message';
import { pathTo } from './tree';

/** A share link's id: 128 random bits, base64url. Anything else is no link at all. */
const SHARE_ID = /^[A-Za-z0-9_-]{22}$/;
export const isShareId = (id: string): boolean => SHARE_ID.test(id);

/** What the owner sees of a link. */
export type ShareSummary = Pick<Share, 'id' | 'conversationId' | 'title' | 'createdAt'>;

/**
 * Shares a conversation of this identity as it is now: up to its current message, whatever comes
 * later. Undefined when the identity has no such conversation.
 */
export async function shareConversation(db: Database, identityId: string, conversationId: string): Promise<ShareSummary | undefined> {
  const conversation = await getConversation(db, identityId, conversationId);
  if (!conversation) return undefined;
  if (!conversation.activeLeafId) throw new ChatError('invalid_request', 'There is nothing to share yet: send a message first.');
  const [share] = await db
    .insert(shares)
    .values({ id: randomBytes(16).toString('base64url'), conversationId, identityId, leafId: conversation.activeLeafId, title: conversation.title })
    .returning();
  return summary(share!);
}

export async function listShares(db: Database, identityId: string): Promise<ShareSummary[]> {
  return (await db.select().from(shares).where(eq(shares.identityId, identityId)).orderBy(desc(shares.createdAt))).map(summary);
}

/** Revokes one of this identity's links; false when it has no such link. */
export async function revokeShare(db: Database, identityId: string, shareId: string): Promise<boolean> {
  if (!isShareId(shareId)) return false;
  const revoked = await db.delete(shares).where(and(eq(shares.id, shareId), eq(shares.identityId, identityId))).returning({ id: shares.id });
  return revoked.length > 0;
}

/**
 * What a shared page shows: the title, and who said what, as text, with the names of the files
 * attached. Nothing else leaves: no usage, cost, ids, nor the files or their addresses.
 */
export interface SharedConversation {
  title: string;
  sharedAt: Date;
  messages: { role: 'user' | 'assistant' | 'system'; text: string; files: string[] }[];
}

export async function sharedConversation(db: Database, shareId: string): Promise<SharedConversation | undefined> {
  if (!isShareId(shareId)) return undefined;
  const [found] = await db
    .select({ share: shares, identityId: conversations.identityId })
    .from(shares)
    .innerJoin(conversations, eq(conversations.id, shares.conversationId))
    .where(eq(shares.id, shareId));
  if (!found) return undefined;
  const stored = (await conversationMessages(db, found.identityId, found.share.conversationId)) ?? [];
  const path = pathTo(stored, found.share.leafId);
  return {
    title: found.share.title,
    sharedAt: found.share.createdAt,
    messages: path
      .map((message) => ({ role: message.role, text: messageText(message), files: attachmentsOf(message).map((file) => file.filename ?? 'a file') }))
      .filter((m) => m.text || m.files.length > 0),
  };
}

const summary = ({ id, conversationId, title, createdAt }: Share): ShareSummary => ({ id, conversationId, title, createdAt });
