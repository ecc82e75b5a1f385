/**
 * `npm run db:migrate`: brings the database at DATABASE_URL (or the embedded one under .data/)
 * up to date. The server also migrates on start, so with a server holding the embedded database
 * there is nothing to do.
 */
import path from 'node:path';
import { databaseUrlIn, openDatabase, pgliteDirIn } from './database';
import { runningOwner } from './embedded-owner';

async function main() {
  // The same settings the server reads (lib/config.ts), without its Next-only imports.
  const url = databaseUrlIn(process.env);
  const dataDir = path.resolve(process.env.RUNNEL_DATA_DIR || '.data');
  const owner = url ? undefined : runningOwner(dataDir);
  if (owner) {
    // The server migrates on start; opening its embedded database a second time could corrupt it.
    console.log(`The Runnel server (pid ${owner.pid}) holds the embedded database in ${dataDir} and migrated it when it started.`);
    return;
  }
  const handle = await openDatabase(url, pgliteDirIn(dataDir));
  await handle.close();
  console.log(`Migrations are up to date (${handle.kind === 'postgres' ? 'DATABASE_URL' : `embedded database in ${dataDir}`}).`);
}

main().catch((error: unknown) => {
  console.error('Migration failed:', error);
  process.exit(1);
});
