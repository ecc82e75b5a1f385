/**
 * Runs once when the server starts: the database is opened, migrated and recovered now, not on
 * the first request (an embedded database's first open takes seconds), and Redis is connected.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const [{ getDatabase }, { getConfig }, { prepareLimits }] = await Promise.all([import('@/lib/db'), import('@/lib/config'), import('@/lib/limits/limits')]);
  await Promise.all([getDatabase(), prepareLimits(getConfig())]);
}
