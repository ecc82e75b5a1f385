// No 'server-only' marker: the keys CLI (lib/cli/keys.ts) runs this outside Next. node:crypto
// keeps it out of any client bundle all the same.
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { isStorable, storableText } from '@/lib/text/storable';
import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '@/lib/db/database';
import { createIdentity } from '@/lib/db/queries';
import { apiKeys, identities, type ApiKey, type Identity } from '@/lib/db/schema';

const KEY_PREFIX = 'rk_';
/** How much of a key is kept in the clear: enough to tell keys apart, far too little to guess the rest. */
const SHOWN_CHARS = KEY_PREFIX.length + 8;
const NAME_MAX = 100;
/** `last_used_at` is written at most this often per key, not on every request. */
const LAST_USED_RESOLUTION = sql`interval '1 minute'`;

/** What lists show of a key: never the key or its hash. */
export type ApiKeySummary = Pick<ApiKey, 'id' | 'name' | 'prefix' | 'createdAt' | 'lastUsedAt' | 'revokedAt'>;

/** The one time a key is seen whole. */
export interface CreatedApiKey {
  key: string;
  summary: ApiKeySummary;
}

/** Who a valid key acts as. */
export interface ApiKeyIdentity {
  keyId: string;
  identityId: string;
  /** A guest browser's key, an account's, or one made with the CLI (an identity of its own). */
  identityKind: Identity['kind'];
}

const summaryColumns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
};

const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

/** 256 random bits, base64url: `rk_` + 43 characters. */
const generateApiKey = () => KEY_PREFIX + randomBytes(32).toString('base64url');

/** What creating a key takes, from the settings page, the admin API or the CLI. */
export const NewApiKeySchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'a key needs a name, e.g. "ci-bot"')
    .max(NAME_MAX, `a key name has at most ${NAME_MAX} characters`)
    .transform(storableText),
});

/**
 * Creates a key for `identityId`, or, without one (the CLI), for a new identity of the key's own.
 */
export async function createApiKey(db: Database, options: { name: string; identityId?: string }): Promise<CreatedApiKey> {
  const identityId = options.identityId ?? (await createIdentity(db, 'api_key')).id;
  const key = generateApiKey();
  const [summary] = await db
    .insert(apiKeys)
    .values({ identityId, name: options.name, prefix: key.slice(0, SHOWN_CHARS), hash: hashApiKey(key) })
    .returning(summaryColumns);
  return { key, summary: summary! };
}

/** Keys newest first: one identity's, or, for the operator's CLI, everyone's. */
export function listApiKeys(db: Database, identityId?: string): Promise<ApiKeySummary[]> {
  return db
    .select(summaryColumns)
    .from(apiKeys)
    .where(identityId ? eq(apiKeys.identityId, identityId) : undefined)
    .orderBy(desc(apiKeys.createdAt));
}

/**
 * Revokes a key by id or by its shown prefix; scoped to one identity unless the operator's CLI
 * asks. Returns the revoked key, or undefined when none (still active) matched.
 */
export async function revokeApiKey(db: Database, idOrPrefix: string, identityId?: string): Promise<ApiKeySummary | undefined> {
  // Not a key's id or prefix, and not a string PostgreSQL can compare.
  if (!isStorable(idOrPrefix)) return undefined;
  const match = UUID.test(idOrPrefix) ? eq(apiKeys.id, idOrPrefix) : eq(apiKeys.prefix, idOrPrefix);
  const [revoked] = await db
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(match, isNull(apiKeys.revokedAt), identityId ? eq(apiKeys.identityId, identityId) : undefined))
    .returning(summaryColumns);
  return revoked;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The identity behind a key, if the key exists and is not revoked; notes when it was used. */
export async function authenticateApiKey(db: Database, key: string): Promise<ApiKeyIdentity | undefined> {
  if (!key.startsWith(KEY_PREFIX)) return undefined;
  const [found] = await db
    .select({ keyId: apiKeys.id, identityId: apiKeys.identityId, identityKind: identities.kind })
    .from(apiKeys)
    .innerJoin(identities, eq(identities.id, apiKeys.identityId))
    .where(and(eq(apiKeys.hash, hashApiKey(key)), isNull(apiKeys.revokedAt)));
  if (!found) return undefined;
  void db
    .update(apiKeys)
    .set({ lastUsedAt: sql`now()` })
    .where(and(eq(apiKeys.id, found.keyId), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql`now() - ${LAST_USED_RESOLUTION}`))))
    .catch((error: unknown) => console.warn('[runnel] noting a key as used failed', error));
  return found;
}
