import { and, desc, eq, ilike, or, sql } from 'drizzle-orm';
import { inTransaction, queryRows, type Database } from './database';
import { conversations, identities, messages, usageRecords, type Conversation, type Identity, type StoredMessage } from './schema';

/**
 * Every read and write of a conversation takes the identity it must belong to: another
 * identity's conversation is indistinguishable from one that does not exist.
 */

export async function createIdentity(db: Database, kind: Identity['kind'] = 'browser'): Promise<Identity> {
  const [identity] = await db.insert(identities).values({ kind }).returning();
  return identity!;
}

/** An identity's custom instructions: each new conversation's system prompt. Null: none (or no row yet). */
export async function identityInstructions(db: Database, identityId: string): Promise<string | null> {
  const [row] = await db.select({ instructions: identities.instructions }).from(identities).where(eq(identities.id, identityId));
  return row?.instructions ?? null;
}

/** Sets (or, with null, clears) an identity's custom instructions, storing the identity if it is new. */
export async function setIdentityInstructions(db: Database, identityId: string, instructions: string | null): Promise<void> {
  await db.insert(identities).values({ id: identityId, instructions }).onConflictDoUpdate({ target: identities.id, set: { instructions } });
}

/** Sets (or clears) a conversation's system prompt; false when the identity has no such conversation. */
export async function setSystemPrompt(db: Database, identityId: string, id: string, systemPrompt: string | null): Promise<boolean> {
  const rows = await db
    .update(conversations)
    .set({ systemPrompt, updatedAt: sql`now()` })
    .where(and(eq(conversations.id, id), eq(conversations.identityId, identityId)))
    .returning({ id: conversations.id });
  return rows.length > 0;
}

/**
 * Creates the conversation, its system prompt the identity's custom instructions, or returns
 * undefined if the id is taken (by anyone).
 */
export async function createConversation(
  db: Database,
  values: { id: string; identityId: string; title: string; model?: string },
): Promise<Conversation | undefined> {
  const systemPrompt = sql<string | null>`(select instructions from ${identities} where id = ${values.identityId})`;
  const [conversation] = await db
    .insert(conversations)
    .values({ ...values, systemPrompt })
    .onConflictDoNothing()
    .returning();
  return conversation;
}

export async function getConversation(db: Database, identityId: string, id: string): Promise<Conversation | undefined> {
  const [conversation] = await db
    .select()
    .from(conversations)
    .where(and(eq(conversations.id, id), eq(conversations.identityId, identityId)));
  return conversation;
}

/** The identity's conversations, newest first; `search` matches titles and message text. */
export async function listConversations(
  db: Database,
  identityId: string,
  options: { search?: string; limit?: number } = {},
): Promise<Conversation[]> {
  const pattern = options.search?.trim() ? `%${escapeLike(options.search.trim())}%` : undefined;
  const matches = pattern
    ? or(
        ilike(conversations.title, pattern),
        sql`exists (select 1 from ${messages} where ${messages.conversationId} = ${conversations.id} and ${messages.parts}::text ilike ${pattern})`,
      )
    : undefined;
  return db
    .select()
    .from(conversations)
    .where(and(eq(conversations.identityId, identityId), matches))
    .orderBy(desc(conversations.updatedAt))
    .limit(options.limit ?? 100);
}

export async function renameConversation(db: Database, identityId: string, id: string, title: string): Promise<boolean> {
  const rows = await db
    .update(conversations)
    .set({ title, updatedAt: sql`now()` })
    .where(and(eq(conversations.id, id), eq(conversations.identityId, identityId)))
    .returning({ id: conversations.id });
  return rows.length > 0;
}

/** The model a conversation continues with: the one it was last sent with. */
export async function setConversationModel(db: Database, identityId: string, id: string, model: string): Promise<void> {
  await db
    .update(conversations)
    .set({ model })
    .where(and(eq(conversations.id, id), eq(conversations.identityId, identityId)));
}

/** All of a conversation's messages (the whole tree), oldest first, or undefined if not the identity's. */
export async function conversationMessages(db: Database, identityId: string, conversationId: string): Promise<StoredMessage[] | undefined> {
  const conversation = await getConversation(db, identityId, conversationId);
  if (!conversation) return undefined;
  return db.select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(messages.createdAt, messages.id);
}

export type NewMessage = Omit<typeof messages.$inferInsert, 'createdAt' | 'updatedAt'>;

/**
 * A new chat in one statement (one round trip, one commit): the identity's row if it has none
 * yet, the conversation (its system prompt: the identity's custom instructions as stored), and
 * its first user message as the active leaf. Answers the system prompt it stored, or undefined,
 * storing nothing but the identity, if the conversation id is taken (by anyone).
 */
export async function startConversation(
  db: Database,
  values: { id: string; identityId: string; title: string; model: string; message: { id: string; parts: StoredMessage['parts'] } },
): Promise<{ systemPrompt: string | null } | undefined> {
  const { id, identityId, title, model, message } = values;
  const rows = await queryRows<{ system_prompt: string | null }>(
    db,
    sql`with identity as (insert into ${identities} (id) values (${identityId}) on conflict do nothing),
      conversation as (
        insert into ${conversations} (id, identity_id, title, model, system_prompt, active_leaf_id)
        values (${id}, ${identityId}, ${title}, ${model}, (select instructions from ${identities} where id = ${identityId}), ${message.id})
        on conflict do nothing returning id, system_prompt),
      message as (
        insert into ${messages} (id, conversation_id, role, parts)
        select ${message.id}, conversation.id, 'user', ${JSON.stringify(message.parts)}::jsonb from conversation)
      select system_prompt from conversation`,
  );
  return rows[0] && { systemPrompt: rows[0].system_prompt };
}

/**
 * Adds a message and makes it the conversation's active leaf, in one statement (one round trip):
 * both or neither.
 */
export async function addMessage(db: Database, message: NewMessage): Promise<StoredMessage> {
  // The insert fails if the conversation is gone, which undoes the update with it.
  const leaf = db
    .$with('leaf')
    .as(db.update(conversations).set({ activeLeafId: message.id, updatedAt: sql`now()` }).where(eq(conversations.id, message.conversationId)).returning({ id: conversations.id }));
  const [stored] = await db.with(leaf).insert(messages).values(message).returning();
  return stored!;
}

export type MessageUpdate = Partial<Pick<StoredMessage, 'parts' | 'status' | 'usage' | 'error' | 'firstTokenMs' | 'durationMs' | 'model'>>;

/** An assistant reply's row as it stands: every save writes all of it. */
export type ReplyRow = Pick<NewMessage, 'id' | 'conversationId' | 'parentId' | 'model' | 'parts' | 'status' | 'usage' | 'error' | 'firstTokenMs' | 'durationMs'>;

/**
 * Saves replies as they stand, several in one statement: a reply's first save adds its row and
 * makes it its conversation's active leaf; later ones overwrite what changes as it grows and ends.
 * Rows must be of different conversations (a leaf per conversation per statement).
 */
export async function saveReplies(db: Database, rows: ReplyRow[]): Promise<void> {
  const saved = db.$with('saved').as(
    db
      .insert(messages)
      .values(rows.map((row) => ({ ...row, role: 'assistant' as const })))
      .onConflictDoUpdate({
        target: [messages.conversationId, messages.id],
        set: {
          parts: sql`excluded.parts`,
          status: sql`excluded.status`,
          usage: sql`excluded.usage`,
          error: sql`excluded.error`,
          firstTokenMs: sql`excluded.first_token_ms`,
          durationMs: sql`excluded.duration_ms`,
          updatedAt: sql`now()`,
        },
      })
      // xmax is 0 on a row this statement inserted, not on one it updated.
      .returning({ conversationId: messages.conversationId, id: messages.id, inserted: sql<boolean>`xmax = 0`.as('inserted') }),
  );
  await db
    .with(saved)
    .update(conversations)
    .set({ activeLeafId: sql`${saved.id}`, updatedAt: sql`now()` })
    .from(saved)
    .where(and(eq(conversations.id, saved.conversationId), sql`${saved.inserted}`));
}

export async function updateMessage(db: Database, conversationId: string, id: string, update: MessageUpdate): Promise<void> {
  await db
    .update(messages)
    .set({ ...update, updatedAt: sql`now()` })
    .where(and(eq(messages.conversationId, conversationId), eq(messages.id, id)));
}

export async function setActiveLeaf(db: Database, identityId: string, conversationId: string, leafId: string): Promise<boolean> {
  const rows = await db
    .update(conversations)
    .set({ activeLeafId: leafId })
    .where(
      and(
        eq(conversations.id, conversationId),
        eq(conversations.identityId, identityId),
        sql`exists (select 1 from ${messages} where ${messages.id} = ${leafId} and ${messages.conversationId} = ${conversationId})`,
      ),
    )
    .returning({ id: conversations.id });
  return rows.length > 0;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Creates a conversation with its whole message tree, in one transaction. `messages` must come
 * parents first.
 */
export async function importConversation(
  db: Database,
  values: { id: string; identityId: string; title: string; model: string | null; systemPrompt?: string | null; activeLeafId: string | null; apiKeyId?: string },
  tree: Omit<typeof messages.$inferInsert, 'conversationId'>[],
): Promise<void> {
  await inTransaction(db, async (tx) => {
    await tx.insert(conversations).values({ ...values, activeLeafId: null });
    // One statement: parent links are checked at its end, so parents-first order is all it needs.
    if (tree.length > 0) await tx.insert(messages).values(tree.map((message) => ({ ...message, conversationId: values.id })));
    const leaf = values.activeLeafId && tree.some((m) => m.id === values.activeLeafId) ? values.activeLeafId : (tree.at(-1)?.id ?? null);
    await tx.update(conversations).set({ activeLeafId: leaf }).where(eq(conversations.id, values.id));
  });
}

/** Whom a new record is billed to is always known; only closing an account unlinks records. */
export type NewUsageRecord = typeof usageRecords.$inferInsert & { identityId: string };

/**
 * Records requests' usage, several in one statement. Identities are stored with them if they are
 * not yet: a reply can end before its question (and a new identity with it) is stored, and its
 * tokens are spent either way.
 */
export async function addUsageRecords(db: Database, records: NewUsageRecord[]): Promise<void> {
  const ids = [...new Set(records.map((record) => record.identityId))];
  const identity = db.$with('identity').as(db.insert(identities).values(ids.map((id) => ({ id }))).onConflictDoNothing().returning({ id: identities.id }));
  await db.with(identity).insert(usageRecords).values(records);
}
