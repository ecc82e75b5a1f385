import { sql } from 'drizzle-orm';
import { boolean, doublePrecision, foreignKey, index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { ChatPart, MessageStatus } from '@/lib/chat/message';

/** When a row was made; and, where rows change, when they last did. */
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

/** The identity a row belongs to; it goes with its identity. */
const ownerIdentity = () =>
  uuid('identity_id')
    .notNull()
    .references(() => identities.id, { onDelete: 'cascade' });

/**
 * Whom everything is scoped to: a guest browser (by its signed cookie), an account (a person
 * signed in: the identity's id is the user's id) or an API key made with the CLI.
 */
export const identities = pgTable('identities', {
  id: uuid('id').primaryKey().defaultRandom(),
  kind: text('kind', { enum: ['browser', 'api_key', 'account'] }).notNull().default('browser'),
  /** Custom instructions ("how should the assistant answer"): each new conversation starts with them as its system prompt. */
  instructions: text('instructions'),
  createdAt: createdAt(),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Runnel API keys (`rk_…`) for programs using /api/v1. Only a hash of the key is stored, with a
 * short prefix so people can tell their keys apart; the key itself is shown once, at creation.
 * A key acts as an identity: a browser's (keys made in its settings page, whose API conversations
 * then show in its sidebar) or one of its own (keys made with the CLI).
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    identityId: ownerIdentity(),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    /** SHA-256 of the whole key, hex. Keys are 256 random bits, so a fast hash is enough. */
    hash: text('hash').notNull().unique(),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (table) => [index('api_keys_identity_idx').on(table.identityId, table.createdAt)],
);

export const conversations = pgTable(
  'conversations',
  {
    id: text('id').primaryKey(),
    identityId: ownerIdentity(),
    title: text('title').notNull().default(''),
    model: text('model'),
    /** Sent upstream before the turns (OpenAI's system message, Anthropic's `system`); null: none. */
    systemPrompt: text('system_prompt'),
    /** Set when the conversation came through /api/v1 with this key. */
    apiKeyId: uuid('api_key_id').references(() => apiKeys.id, { onDelete: 'set null' }),
    /** The message the conversation currently ends at; the path to it is what is shown. */
    activeLeafId: text('active_leaf_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  // The sidebar: one identity's conversations, newest first.
  (table) => [index('conversations_identity_recent_idx').on(table.identityId, table.updatedAt.desc())],
);

export interface StoredUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  /** Counted with a tokenizer because the provider reported nothing (a stopped or cut stream). */
  estimated?: boolean;
  /** US dollars at the model's configured prices when the reply ended; absent without prices. */
  costUsd?: number;
}

/**
 * Ids are the client's (AI SDK clients name their messages) and unique within a conversation, so
 * the key is (conversation_id, id): a client can neither collide with nor point into another
 * conversation.
 */
export const messages = pgTable(
  'messages',
  {
    id: text('id').notNull(),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    /** Messages form a tree: regenerating or editing adds a sibling instead of deleting anything. */
    parentId: text('parent_id'),
    role: text('role', { enum: ['system', 'user', 'assistant'] }).notNull(),
    parts: jsonb('parts').$type<ChatPart[]>().notNull(),
    status: text('status').$type<MessageStatus>().notNull().default('done'),
    model: text('model'),
    usage: jsonb('usage').$type<StoredUsage>(),
    error: text('error'),
    firstTokenMs: real('first_token_ms'),
    durationMs: real('duration_ms'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    primaryKey({ columns: [table.conversationId, table.id] }),
    foreignKey({ columns: [table.conversationId, table.parentId], foreignColumns: [table.conversationId, table.id] }).onDelete('cascade'),
    index('messages_conversation_idx').on(table.conversationId, table.createdAt),
    // Crash recovery looks for replies left streaming; there are few, so a partial index.
    index('messages_streaming_idx').on(table.status).where(sql`${table.status} = 'streaming'`),
  ],
);

/**
 * One row per upstream request, however it ended: what it cost and whom it is billed to. Kept
 * when its conversation is deleted (no foreign key to it), since the tokens were spent; kept
 * unlinked from anyone when its identity is deleted (an account closed), for the deployment's
 * accounting.
 */
export const usageRecords = pgTable(
  'usage_records',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    identityId: uuid('identity_id').references(() => identities.id, { onDelete: 'set null' }),
    apiKeyId: uuid('api_key_id').references(() => apiKeys.id, { onDelete: 'set null' }),
    conversationId: text('conversation_id'),
    messageId: text('message_id'),
    model: text('model').notNull(),
    /** How the reply ended: done, stopped, error. */
    outcome: text('outcome').notNull(),
    inputTokens: integer('input_tokens').notNull(),
    outputTokens: integer('output_tokens').notNull(),
    totalTokens: integer('total_tokens').notNull(),
    estimated: boolean('estimated').notNull(),
    costUsd: doublePrecision('cost_usd'),
    clientIp: text('client_ip'),
    createdAt: createdAt(),
  },
  (table) => [
    index('usage_identity_time_idx').on(table.identityId, table.createdAt),
    index('usage_api_key_time_idx').on(table.apiKeyId, table.createdAt),
  ],
);

/**
 * A public, read-only snapshot of a conversation: the path to `leafId` as it was when shared
 * (messages never change once written; later ones hang below the leaf and are not in it). The id
 * is the link's secret: 128 random bits. Revoking deletes the row.
 */
export const shares = pgTable(
  'shares',
  {
    id: text('id').primaryKey(),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    identityId: ownerIdentity(),
    leafId: text('leaf_id').notNull(),
    title: text('title').notNull(),
    createdAt: createdAt(),
  },
  (table) => [index('shares_identity_idx').on(table.identityId, table.createdAt)],
);

/**
 * A file a person attached to a message. The bytes live in the file store (lib/attachments/store.ts)
 * under the row's id; a document's text is kept here, as the model reads it. A file is the
 * identity's, and once sent, its conversation's: it goes with either.
 */
export const attachments = pgTable(
  'attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    identityId: ownerIdentity(),
    /** Unset until the message it was attached to is stored. */
    conversationId: text('conversation_id').references(() => conversations.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['image', 'document'] }).notNull(),
    /** As found in the content, never as declared by the uploader. */
    mediaType: text('media_type').notNull(),
    name: text('name').notNull(),
    size: integer('size').notNull(),
    /** A document's text; null for images. */
    text: text('text'),
    tokens: integer('tokens'),
    createdAt: createdAt(),
  },
  (table) => [index('attachments_identity_idx').on(table.identityId, table.createdAt), index('attachments_conversation_idx').on(table.conversationId)],
);

// Accounts, as better-auth (lib/auth/auth.ts) stores them: its models user, session, account,
// verification and passkey, in tables named for Runnel. A user's id is its identity's id.
const authId = () => text('id').primaryKey();
const authUser = () =>
  uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' });
const authTime = (name: string) => timestamp(name, { withTimezone: true });

export const users = pgTable('users', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  /** Unique; an account made with a passkey alone has a placeholder under .invalid (lib/auth/passkey-accounts.ts). */
  email: text('email').notNull().unique(),
  emailVerified: boolean('email_verified').notNull().default(false),
  image: text('image'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const authSessions = pgTable(
  'auth_sessions',
  {
    id: authId(),
    token: text('token').notNull().unique(),
    userId: authUser(),
    expiresAt: authTime('expires_at').notNull(),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [index('auth_sessions_user_idx').on(table.userId)],
);

/** The sign-in methods linked to a user: an OAuth/OIDC provider's account id. */
export const authAccounts = pgTable(
  'auth_accounts',
  {
    id: authId(),
    accountId: text('account_id').notNull(),
    providerId: text('provider_id').notNull(),
    userId: authUser(),
    accessToken: text('access_token'),
    refreshToken: text('refresh_token'),
    idToken: text('id_token'),
    accessTokenExpiresAt: authTime('access_token_expires_at'),
    refreshTokenExpiresAt: authTime('refresh_token_expires_at'),
    scope: text('scope'),
    password: text('password'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [index('auth_accounts_user_idx').on(table.userId), index('auth_accounts_provider_idx').on(table.providerId, table.accountId)],
);

/** Short-lived values of sign-in flows (OAuth state, WebAuthn challenges). */
export const authVerifications = pgTable(
  'auth_verifications',
  {
    id: authId(),
    identifier: text('identifier').notNull(),
    value: text('value').notNull(),
    expiresAt: authTime('expires_at').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [index('auth_verifications_identifier_idx').on(table.identifier)],
);

export const passkeys = pgTable(
  'passkeys',
  {
    id: authId(),
    name: text('name'),
    publicKey: text('public_key').notNull(),
    userId: authUser(),
    credentialID: text('credential_id').notNull().unique(),
    counter: integer('counter').notNull(),
    deviceType: text('device_type').notNull(),
    backedUp: boolean('backed_up').notNull(),
    transports: text('transports'),
    aaguid: text('aaguid'),
    createdAt: authTime('created_at'),
  },
  (table) => [index('passkeys_user_idx').on(table.userId)],
);

export type Identity = typeof identities.$inferSelect;
export type Share = typeof shares.$inferSelect;
export type Attachment = typeof attachments.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;
export type Conversation = typeof conversations.$inferSelect;
export type StoredMessage = typeof messages.$inferSelect;
