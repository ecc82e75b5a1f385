/**
 * `npm run db:migrate`: brings the database at DATABASE_URL (or the embedded one under .data/)
 * up to date. The server also migrates on start. The embedded database belongs to one process at
 * a time: stop `npm run dev` / `npm start` before running this against it.
 */
import path from 'node:path';
import { openDatabase, pgliteDirIn } from './database';

async function main() {
  // The same settings the server reads (lib/config.ts), without its Next-only imports.
  const url = process.env.DATABASE_URL || undefined;
  const dataDir = path.resolve(process.env.RUNNEL_DATA_DIR || '.data');
  const handle = await openDatabase(url, pgliteDirIn(dataDir));
  await handle.close();
  console.log(`Migrations are up to date (${handle.kind === 'postgres' ? 'DATABASE_URL' : `embedded database in ${dataDir}`}).`);
}

main().catch((error: unknown) => {
  console.error('Migration failed:', error);
  process.exit(1);
});
