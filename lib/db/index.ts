import 'server-only';
import { getConfig } from '@/lib/config';
import { claimEmbeddedDatabase } from './embedded-owner';
import { openDatabase, pgliteDirIn, recoverInterruptedReplies, type Database } from './database';

// On a shared Postgres, a reply nobody has written for this long has lost its server. Should a
// live reply have been silent that long, its final save still sets its real status.
const SHARED_STALE_AFTER_MS = 2 * 60_000;
const SHARED_SWEEP_EVERY_MS = 60_000;

interface OpenDatabase {
  db: Database;
  close(): Promise<void>;
}

// On globalThis: instrumentation and routes are separate bundles, but one process must hold
// one database (an embedded one cannot be opened twice).
const holder = globalThis as typeof globalThis & { __runnelDatabase?: Promise<OpenDatabase> };

/**
 * The process's database, opened once (at server start, by instrumentation.ts): migrated, and
 * with replies orphaned by a previous crash marked `interrupted`. A failed open is retried on the
 * next call.
 */
export async function getDatabase(): Promise<Database> {
  holder.__runnelDatabase ??= open().catch((error: unknown) => {
    holder.__runnelDatabase = undefined;
    throw error;
  });
  return (await holder.__runnelDatabase).db;
}

/** How long closing waits for connections still checked out (one lost mid-transaction may never return). */
const CLOSE_WAIT_MS = 2000;

/**
 * Closes the process's database, if it was opened: the pool's connections end, or the embedded
 * database is closed cleanly (nothing for the next start to recover). For shutdown; never waits
 * more than CLOSE_WAIT_MS.
 */
export async function closeDatabase(): Promise<void> {
  const opened = holder.__runnelDatabase;
  holder.__runnelDatabase = undefined;
  const closing = (await opened?.catch(() => undefined))?.close();
  await Promise.race([closing?.catch((error: unknown) => console.warn('[runnel] closing the database failed', error)), new Promise((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref())]);
}

async function open(): Promise<OpenDatabase> {
  const { databaseUrl, dataDir, onVercel, databasePoolSize } = getConfig();
  const handle = await openDatabase(databaseUrl, pgliteDirIn(dataDir), { serverless: onVercel, poolSize: databasePoolSize });
  const recover = async () => {
    const recovered = await recoverInterruptedReplies(handle.db, handle.kind === 'pglite' ? 0 : SHARED_STALE_AFTER_MS);
    if (recovered > 0) console.warn(`[runnel] ${recovered} repl${recovered === 1 ? 'y was' : 'ies were'} cut off by a server stopping; marked interrupted`);
  };
  await recover();
  // Tells CLIs (keys) to go through this server; `next start` and `next dev` set PORT.
  if (handle.kind === 'pglite') claimEmbeddedDatabase(dataDir, Number(process.env.PORT ?? 3000));
  // Another instance may crash at any time; the embedded database has no other instance.
  const sweep =
    handle.kind === 'postgres'
      ? setInterval(() => void recover().catch((error: unknown) => console.warn('[runnel] recovery sweep failed', error)), SHARED_SWEEP_EVERY_MS).unref()
      : undefined;
  return {
    db: handle.db,
    close: async () => {
      clearInterval(sweep);
      await handle.close();
    },
  };
}
