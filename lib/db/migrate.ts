/**
 * `npm run db:migrate`: brings the database at DATABASE_URL (or the embedded one under .data/)
 * up to date. The server also migrates on start. The embedded database belongs to one process at
 * a time: stop `npm run dev` / `npm start` before running this against it.
 */
import { openDatabase } from './database';

async function main() {
  const url = process.env.DATABASE_URL || undefined;
  const handle = await openDatabase(url);
  await handle.close();
  console.log(`Migrations are up to date (${handle.kind === 'postgres' ? 'DATABASE_URL' : 'embedded database in .data/'}).`);
}

main().catch((error: unknown) => {
  console.error('Migration failed:', error);
  process.exit(1);
});
