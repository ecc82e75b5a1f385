import 'server-only';
import { and, asc, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import { toExport, type ConversationExport } from '@/lib/chat/export-format';
import { listApiKeys, type ApiKeySummary } from '@/lib/auth/api-keys';
import { removeFiles } from '@/lib/attachments/attachments';
import type { FileStore } from '@/lib/attachments/file-store';
import { queryRows, type Database } from '@/lib/db/database';
import { apiKeys, attachments, authAccounts, authSessions, conversations, identities, messages, passkeys, shares, usageRecords, users } from '@/lib/db/schema';

/** What moved from a guest into an account. */
export interface MergeResult {
  conversations: number;
  apiKeys: number;
  usageRecords: number;
}

/**
 * Moves everything a guest browser made (conversations, API keys, usage; custom instructions where
 * the account has none) into an account, in one
 * transaction. The guest's identity stays, owning nothing: its cookie, wherever a copy of it is,
 * acts on nothing of the account's (a guest cookie planted in someone's browser before they sign
 * in opens no door into their account), and a process that remembers the row as stored is right.
 * Repeating it moves nothing more.
 */
export async function mergeGuestIntoAccount(db: Database, guestId: string, accountId: string): Promise<MergeResult> {
  if (guestId === accountId) return { conversations: 0, apiKeys: 0, usageRecords: 0 };
  return db.transaction(async (tx) => {
    const [guest] = await tx.select({ kind: identities.kind }).from(identities).where(eq(identities.id, guestId)).for('update');
    // Only a guest's own rows move: never an account's or a CLI key's, whatever a cookie claims.
    if (guest?.kind !== 'browser') return { conversations: 0, apiKeys: 0, usageRecords: 0 };
    await tx.insert(identities).values({ id: accountId, kind: 'account' }).onConflictDoUpdate({ target: identities.id, set: { kind: 'account' } });
    // The guest's custom instructions come along if the account has none of its own.
    await tx.execute(
      sql`update ${identities} set instructions = (select instructions from ${identities} where id = ${guestId}) where id = ${accountId} and instructions is null`,
    );
    const moved = { identityId: accountId };
    const [movedConversations, movedKeys, movedUsage] = [
      await tx.update(conversations).set(moved).where(eq(conversations.identityId, guestId)).returning({ id: conversations.id }),
      await tx.update(apiKeys).set(moved).where(eq(apiKeys.identityId, guestId)).returning({ id: apiKeys.id }),
      await tx.update(usageRecords).set(moved).where(eq(usageRecords.identityId, guestId)).returning({ id: usageRecords.id }),
    ];
    // The guest's share links stay live, now the account's to revoke.
    await tx.update(shares).set(moved).where(eq(shares.identityId, guestId));
    await tx.update(attachments).set(moved).where(eq(attachments.identityId, guestId));
    return { conversations: movedConversations.length, apiKeys: movedKeys.length, usageRecords: movedUsage.length };
  });
}

/** Stores an account's identity (its id is the user's): what its conversations, keys and usage hang on. */
export async function ensureAccountIdentity(db: Database, userId: string): Promise<void> {
  await db.insert(identities).values({ id: userId, kind: 'account' }).onConflictDoUpdate({ target: identities.id, set: { kind: 'account' } });
}

/** Everything stored about a person, as their "export my data" download. */
export interface AccountExport {
  exportedAt: string;
  account: { name: string; email: string | null; createdAt: string } | null;
  conversations: (ConversationExport & { id: string; createdAt: string })[];
  apiKeys: ApiKeySummary[];
}

export async function exportIdentityData(db: Database, identityId: string): Promise<AccountExport> {
  const [user] = await db.select().from(users).where(eq(users.id, identityId));
  const owned = await db.select().from(conversations).where(eq(conversations.identityId, identityId)).orderBy(asc(conversations.createdAt));
  const rows = owned.length
    ? await db
        .select()
        .from(messages)
        .where(inArray(messages.conversationId, owned.map((c) => c.id)))
        .orderBy(asc(messages.createdAt))
    : [];
  return {
    exportedAt: new Date().toISOString(),
    account: user ? { name: user.name, email: isPlaceholderEmail(user.email) ? null : user.email, createdAt: user.createdAt.toISOString() } : null,
    conversations: owned.map((conversation) => ({
      id: conversation.id,
      createdAt: conversation.createdAt.toISOString(),
      ...toExport(conversation, rows.filter((m) => m.conversationId === conversation.id)),
    })),
    apiKeys: await listApiKeys(db, identityId),
  };
}

/**
 * Deletes an account: its conversations and their messages, its API keys, its sessions, passkeys
 * and linked sign-in methods, and the user. Its usage records stay, linked to no one, for the
 * deployment's accounting (the foreign key sets them null). One statement: all of it or none;
 * it names the attached files, whose bytes are then removed from the store.
 */
export async function deleteAccount(db: Database, store: FileStore, userId: string): Promise<void> {
  const files = await queryRows<{ id: string }>(
    db,
    sql`with gone_user as (delete from ${users} where ${users.id} = ${userId}),
             gone as (delete from ${identities} where ${identities.id} = ${userId} returning id)
        select a.id from ${attachments} a join gone on a.identity_id = gone.id`,
  );
  await removeFiles(store, files.map((file) => file.id));
}

/** Accounts made with a passkey alone have no email; they carry a unique placeholder that can never receive mail. */
export const PLACEHOLDER_EMAIL_DOMAIN = 'passkey.runnel.invalid';
export const isPlaceholderEmail = (email: string): boolean => email.endsWith(`@${PLACEHOLDER_EMAIL_DOMAIN}`);

/** What the account page shows: the person, their ways in, and where they are signed in. */
export interface AccountOverview {
  name: string;
  email: string | null;
  passkeys: { id: string; name: string | null; createdAt: string | null }[];
  providers: { providerId: string; createdAt: string }[];
  sessions: { id: string; createdAt: string; userAgent: string | null; ipAddress: string | null; current: boolean }[];
}

export async function accountOverview(db: Database, userId: string, currentSessionId: string): Promise<AccountOverview | undefined> {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) return undefined;
  const [keys, linked, sessions] = await Promise.all([
    db.select().from(passkeys).where(eq(passkeys.userId, userId)).orderBy(asc(passkeys.createdAt)),
    db.select().from(authAccounts).where(eq(authAccounts.userId, userId)).orderBy(asc(authAccounts.createdAt)),
    db
      .select()
      .from(authSessions)
      .where(and(eq(authSessions.userId, userId), gt(authSessions.expiresAt, sql`now()`)))
      .orderBy(desc(authSessions.createdAt)),
  ]);
  return {
    name: user.name,
    email: isPlaceholderEmail(user.email) ? null : user.email,
    passkeys: keys.map((key) => ({ id: key.id, name: key.name, createdAt: key.createdAt?.toISOString() ?? null })),
    providers: linked.map((account) => ({ providerId: account.providerId, createdAt: account.createdAt.toISOString() })),
    // Only what tells sessions apart; their tokens never leave the server.
    sessions: sessions.map((session) => ({
      id: session.id,
      createdAt: session.createdAt.toISOString(),
      userAgent: session.userAgent,
      ipAddress: session.ipAddress,
      current: session.id === currentSessionId,
    })),
  };
}

/** The token of one of a user's sessions, by its id: to sign that session out. */
export async function sessionToken(db: Database, userId: string, sessionId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ token: authSessions.token })
    .from(authSessions)
    .where(and(eq(authSessions.userId, userId), eq(authSessions.id, sessionId)));
  return row?.token;
}
