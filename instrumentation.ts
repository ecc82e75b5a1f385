/**
 * Runs once when the server starts: the database is opened, migrated and recovered now, not on
 * the first request (an embedded database's first open takes seconds).
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { getDatabase } = await import('@/lib/db');
  await getDatabase();
}
