import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase, queryRows, type DatabaseHandle } from '@/lib/db/database';
import { createIdentity } from '@/lib/db/queries';
import { createTestDatabase } from '@/lib/testing/postgres';
import { authenticateApiKey, createApiKey, listApiKeys, revokeApiKey } from './api-keys';

const run = promisify(execFile);
const postgres = await createTestDatabase();
const dataDir = mkdtempSync(path.join(tmpdir(), 'runnel-keys-'));
afterAll(async () => {
  await postgres?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const drivers = [
  { name: 'embedded PGlite', available: true, url: undefined },
  { name: 'real Postgres', available: postgres !== undefined, url: postgres?.url },
];

/** `npm run keys -- …` as a separate process, as an operator runs it. */
async function keysCli(env: Record<string, string>, ...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'lib/cli/keys.ts', ...args], { env: { ...process.env, ...env } });
}

describe.each(drivers)('API keys on $name', ({ name, available, url }) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    if (available) handle = await openDatabase(url, path.join(dataDir, `pglite-${name.length}`));
  });
  afterAll(async () => handle?.close());

  test.skipIf(!available)('only a hash and a prefix are stored; the key authenticates as its identity until revoked', async () => {
    const owner = await createIdentity(handle.db);
    const { key, summary } = await createApiKey(handle.db, { name: 'ci-bot', identityId: owner.id });
    expect(key).toMatch(/^rk_[\w-]{43}$/);
    expect(summary.prefix).toBe(key.slice(0, 11));

    const [row] = await queryRows<Record<string, unknown>>(handle.db, sql`select * from api_keys where id = ${summary.id}`);
    expect(row!.hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(Object.values(row!).some((value) => String(value).includes(key))).toBe(false);

    expect(await authenticateApiKey(handle.db, key)).toEqual({ keyId: summary.id, identityId: owner.id, identityKind: 'browser' });
    expect(await authenticateApiKey(handle.db, `${key.slice(0, -1)}x`)).toBeUndefined();
    expect(await authenticateApiKey(handle.db, 'sk-not-ours')).toBeUndefined();

    expect((await revokeApiKey(handle.db, summary.prefix, owner.id))?.revokedAt).toBeInstanceOf(Date);
    expect(await authenticateApiKey(handle.db, key)).toBeUndefined();
    expect(await revokeApiKey(handle.db, summary.prefix, owner.id)).toBeUndefined(); // already revoked
  });

  test.skipIf(!available)("one identity neither lists nor revokes another's keys", async () => {
    const [alice, bob] = [await createIdentity(handle.db), await createIdentity(handle.db)];
    const { key, summary } = await createApiKey(handle.db, { name: 'alice-key', identityId: alice.id });
    expect((await listApiKeys(handle.db, bob.id)).map((k) => k.id)).not.toContain(summary.id);
    expect(await revokeApiKey(handle.db, summary.id, bob.id)).toBeUndefined();
    expect(await authenticateApiKey(handle.db, key)).toBeDefined();
    expect((await listApiKeys(handle.db, alice.id)).map((k) => k.name)).toEqual(['alice-key']);
  });

  test.skipIf(!available)('a key without an owner gets an identity of its own', async () => {
    const { key } = await createApiKey(handle.db, { name: 'service' });
    const identity = await authenticateApiKey(handle.db, key);
    const [row] = await queryRows<{ kind: string }>(handle.db, sql`select kind from identities where id = ${identity!.identityId}`);
    expect(row?.kind).toBe('api_key');
  });
});

// The CLI opens the database itself here: Postgres always, the embedded one when no server holds it.
describe.each(drivers)('the keys CLI on $name', ({ available, url }) => {
  const env: Record<string, string> = url ? { DATABASE_URL: url } : { DATABASE_URL: '', RUNNEL_DATA_DIR: path.join(dataDir, 'cli') };

  test.skipIf(!available)('create, list and revoke', { timeout: 60_000 }, async () => {
    const created = await keysCli(env, 'create', '--name', 'cli-bot');
    const key = /\b(rk_[\w-]{43})\b/.exec(created.stdout)?.[1];
    expect(key, created.stdout).toBeDefined();
    expect(created.stdout).toContain('cannot show it again');

    const listed = (await keysCli(env, 'list')).stdout;
    expect(listed).toMatch(/^ID\s+NAME\s+PREFIX\s+CREATED\s+LAST USED\s+STATUS$/m);
    expect(listed).toContain(`cli-bot`);
    expect(listed).toContain(`${key!.slice(0, 11)}…`);
    expect(listed).not.toContain(key!);

    expect((await keysCli(env, 'revoke', key!.slice(0, 11))).stdout).toContain('Revoked key "cli-bot"');
    expect((await keysCli(env, 'list')).stdout).toMatch(/cli-bot.*revoked/);
    await expect(keysCli(env, 'revoke', key!.slice(0, 11))).rejects.toMatchObject({ stderr: expect.stringContaining('No active key') });
  });

  test.skipIf(!available)('a missing name is refused with the usage', async () => {
    await expect(keysCli(env, 'create')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('a key needs a name') });
  });
});
