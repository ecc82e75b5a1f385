import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { and, eq, lt, sql, type SQL } from 'drizzle-orm';
import { drizzle as drizzleNodePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePostgres } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { attachDatabasePool } from '@vercel/functions/db-connections';
import { Pool, type PoolConfig } from 'pg';
import { isDatabaseOutage } from './outage';
import { PGliteThread } from './pglite-thread';
import * as schema from './schema';

/** One schema, one set of migrations, two drivers: both are Postgres to the queries. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseHandle {
  db: Database;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

const MIGRATIONS = path.join(process.cwd(), 'lib/db/migrations');
// Any fixed number; instances starting together take turns on it.
const MIGRATION_LOCK = 724_137_001;

/** The PostgreSQL the environment names: DATABASE_URL, or POSTGRES_URL as Vercel's Postgres integrations set it. */
export const databaseUrlIn = (env: Record<string, string | undefined>): string | undefined => env.DATABASE_URL || env.POSTGRES_URL || undefined;

/** Where the embedded database lives in the data folder (RUNNEL_DATA_DIR). */
export const pgliteDirIn = (dataDir: string): string => path.join(dataDir, 'pglite');

/**
 * A long-running server keeps a few connections warm. A serverless function instance (Vercel)
 * serves one request at a time but many instances run at once, each with its own pool: a couple
 * of connections each, let go quickly, keep the database's connection limit intact.
 */
const SERVER_POOL: PoolConfig = { max: 10, idleTimeoutMillis: 30_000 };
const SERVERLESS_POOL: PoolConfig = { max: 3, idleTimeoutMillis: 5_000 };
/**
 * How long a query may wait for a connection (a database that does not answer, or every pooled
 * connection busy) before it fails: an answer (503) instead of a request that hangs.
 */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Opens the database and brings its schema up to date: real Postgres when `url` is set, else an
 * embedded Postgres (PGlite) in `pgliteDir`, which belongs to this process alone and runs on a
 * thread of its own.
 */
export async function openDatabase(
  url: string | undefined,
  pgliteDir: string,
  options: { serverless?: boolean; poolSize?: number } = {},
): Promise<DatabaseHandle> {
  return url ? openPostgres(url, options) : openPglite(pgliteDir);
}

async function openPostgres(url: string, { serverless = false, poolSize }: { serverless?: boolean; poolSize?: number }): Promise<DatabaseHandle> {
  const sizing = { ...(serverless ? SERVERLESS_POOL : SERVER_POOL), ...(poolSize && { max: poolSize }) };
  const pool = new Pool({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, ...sizing });
  // Keeps a suspended function alive just long enough to close its idle connections.
  if (serverless) attachDatabasePool(pool);
  // A connection that Postgres closes (restart, failover, a network cut) emits an error; unheard,
  // it would take the whole server down. The pool hears those of idle connections; a connection
  // checked out between two queries (a transaction) has only its own listener, added here. The
  // query in flight fails (a 503), and the pool replaces the connection on next use.
  const lost = (error: Error) => console.warn(`[runnel] database connection lost: ${error.message}`);
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
  try {
    // The lock is held by a session, so migrate on the very connection that holds it.
    const client = await pool.connect();
    try {
      await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await migrateNodePostgres(drizzleNodePostgres(client, { schema }), { migrationsFolder: MIGRATIONS });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw error;
  }
  return { db: drizzleNodePostgres(pool, { schema }), kind: 'postgres', close: () => pool.end() };
}

async function openPglite(dir: string): Promise<DatabaseHandle> {
  // PGlite does not create missing parent folders.
  mkdirSync(path.dirname(dir), { recursive: true });
  const thread = await PGliteThread.open(dir);
  // drizzle's PGlite driver asks of its client only what the thread answers: query and transaction.
  const db = drizzlePglite(thread as unknown as PGlite, { schema });
  try {
    await migratePglite(db, { migrationsFolder: MIGRATIONS });
  } catch (error) {
    await thread.close();
    throw error;
  }
  return { db, kind: 'pglite', close: () => thread.close() };
}

/**
 * Replies left `streaming` by a server that stopped (crash, kill -9, restart) become
 * `interrupted`, keeping what was saved of them. With the embedded database this process is the
 * only writer, so every such row is orphaned; on a shared Postgres another instance may be
 * streaming right now, so only rows untouched for `staleAfterMs` are.
 */
export async function recoverInterruptedReplies(db: Database, staleAfterMs: number): Promise<number> {
  const stale = staleAfterMs > 0 ? lt(schema.messages.updatedAt, sql`now() - make_interval(secs => ${staleAfterMs / 1000})`) : undefined;
  const rows = await db
    .update(schema.messages)
    .set({ status: 'interrupted', updatedAt: sql`now()` })
    .where(and(eq(schema.messages.status, 'streaming'), stale))
    .returning({ id: schema.messages.id });
  return rows.length;
}

/**
 * Runs `work` in a transaction. On PostgreSQL a connection of its own is taken from the pool and
 * always given back: drizzle's own `transaction` never releases it when `begin` itself fails (a
 * connection lost at that moment), and each such failure would keep a pool slot forever until
 * every request waits for one. A connection that failed is given back broken, so the pool drops it.
 */
export async function inTransaction<T>(db: Database, work: (tx: Database) => Promise<T>): Promise<T> {
  const pool = (db as { $client?: unknown }).$client;
  if (!(pool instanceof Pool)) return db.transaction((tx) => work(tx as unknown as Database));
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin');
    try {
      const result = await work(drizzleNodePostgres(client, { schema }));
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    }
  } catch (error) {
    if (isDatabaseOutage(error)) broken = error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Rows of a raw query. Both drivers answer `{ rows }`; the shared database type cannot say so. */
export async function queryRows<Row>(db: Database, query: SQL): Promise<Row[]> {
  const result = (await db.execute(query)) as unknown as { rows: Row[] };
  return result.rows;
}
