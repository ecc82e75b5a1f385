import 'server-only';
import { getConfig } from '@/lib/config';
import { getDatabase } from '@/lib/db';
import { prepareLimits } from '@/lib/limits/limits';
import { drainOnSignals } from './shutdown';

/**
 * What a server process does before its first request (instrumentation.ts): the configuration is
 * checked (a bad one stops the start, with the reason), the database opened, migrated and
 * recovered (an embedded database's first open takes seconds), Redis connected; and a production
 * server learns to drain on SIGTERM. `next dev` keeps Next's own quick exit.
 */
export async function startServer(): Promise<void> {
  const config = getConfig();
  await Promise.all([getDatabase(), prepareLimits(config)]);
  if (process.env.NODE_ENV === 'production') drainOnSignals(config.shutdownGraceMs);
}
