/**
 * `npm run keys -- create --name ci-bot | list | revoke <id or prefix>`: Runnel API keys for
 * /api/v1. With DATABASE_URL the CLI talks to Postgres; with the embedded database it goes
 * through the running server that holds it (server.json in the data folder), or, when no server
 * runs, opens the database itself.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadEnvConfig } from '@next/env';
import { createApiKey, listApiKeys, NewApiKeySchema, revokeApiKey, type ApiKeySummary, type CreatedApiKey } from '@/lib/auth/api-keys';
import { databaseUrlIn, openDatabase, pgliteDirIn, type DatabaseHandle } from '@/lib/db/database';
import { runningOwner, type EmbeddedOwner } from '@/lib/db/embedded-owner';

interface KeyStore {
  create(name: string): Promise<CreatedApiKey>;
  list(): Promise<ApiKeySummary[]>;
  revoke(idOrPrefix: string): Promise<ApiKeySummary | undefined>;
  close(): Promise<void>;
}

const USAGE = `Usage:
  npm run keys -- create --name <name>    create a key (shown once)
  npm run keys -- list                    list keys
  npm run keys -- revoke <id or prefix>   revoke a key`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { name: { type: 'string' } } });
  const [command, target] = positionals;
  if (command === 'create') {
    const parsed = NewApiKeySchema.safeParse({ name: values.name ?? '' });
    if (!parsed.success) return fail(`${parsed.error.issues[0]!.message}.\n\n${USAGE}`);
    const { key, summary } = await withStore((store) => store.create(parsed.data.name));
    console.log(`Created key "${summary.name}" (${summary.prefix}…, id ${summary.id}).\nCopy it now; Runnel keeps only its hash and cannot show it again:\n\n  ${key}\n`);
    return 0;
  }
  if (command === 'list') {
    const keys = await withStore((store) => store.list());
    console.log(keys.length === 0 ? 'No keys yet: npm run keys -- create --name <name>' : formatTable(keys));
    return 0;
  }
  if (command === 'revoke' && target) {
    const revoked = await withStore((store) => store.revoke(target));
    if (!revoked) return fail(`No active key "${target}". See npm run keys -- list.`);
    console.log(`Revoked key "${revoked.name}" (${revoked.prefix}…). Requests with it now get 401.`);
    return 0;
  }
  return fail(USAGE);
}

const fail = (message: string) => (console.error(message), 1);

async function withStore<T>(operation: (store: KeyStore) => Promise<T>): Promise<T> {
  loadEnvConfig(process.cwd(), process.env.NODE_ENV !== 'production'); // .env.local and friends, as the server reads them
  const url = databaseUrlIn(process.env);
  const dataDir = path.resolve(process.env.RUNNEL_DATA_DIR || '.data');
  const owner = url ? undefined : runningOwner(dataDir);
  const store = owner ? serverStore(owner) : databaseStore(await openDatabase(url, pgliteDirIn(dataDir)));
  try {
    return await operation(store);
  } finally {
    await store.close();
  }
}

function databaseStore(handle: DatabaseHandle): KeyStore {
  return {
    create: (name) => createApiKey(handle.db, { name }),
    list: () => listApiKeys(handle.db),
    revoke: (idOrPrefix) => revokeApiKey(handle.db, idOrPrefix),
    close: () => handle.close(),
  };
}

/** The running server's admin API: the embedded database may not be opened twice. */
function serverStore(owner: EmbeddedOwner): KeyStore {
  const call = async <T>(method: string, query = '', body?: unknown): Promise<T | undefined> => {
    const response = await fetch(`http://127.0.0.1:${owner.port}/api/admin/keys${query}`, {
      method,
      headers: { authorization: `Bearer ${owner.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status === 404 && method === 'DELETE') return undefined;
    const json = (await response.json()) as T & { error?: { message: string } };
    if (!response.ok) throw new Error(`The Runnel server (pid ${owner.pid}) refused: ${json.error?.message ?? response.status}`);
    return json;
  };
  const dated = (key: ApiKeySummary): ApiKeySummary => ({
    ...key,
    createdAt: new Date(key.createdAt),
    lastUsedAt: key.lastUsedAt && new Date(key.lastUsedAt),
    revokedAt: key.revokedAt && new Date(key.revokedAt),
  });
  return {
    create: async (name) => {
      const created = (await call<CreatedApiKey>('POST', '', { name }))!;
      return { key: created.key, summary: dated(created.summary) };
    },
    list: async () => (await call<{ keys: ApiKeySummary[] }>('GET'))!.keys.map(dated),
    revoke: async (idOrPrefix) => {
      const result = await call<{ revoked: ApiKeySummary }>('DELETE', `?key=${encodeURIComponent(idOrPrefix)}`);
      return result && dated(result.revoked);
    },
    close: async () => {},
  };
}

function formatTable(keys: ApiKeySummary[]): string {
  const when = (date: Date | null) => (date ? date.toISOString().replace('T', ' ').slice(0, 16) : '—');
  const rows = [
    ['ID', 'NAME', 'PREFIX', 'CREATED', 'LAST USED', 'STATUS'],
    ...keys.map((k) => [k.id, k.name, `${k.prefix}…`, when(k.createdAt), when(k.lastUsedAt), k.revokedAt ? `revoked ${when(k.revokedAt)}` : 'active']),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
