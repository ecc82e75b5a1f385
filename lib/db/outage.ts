// No 'server-only' marker: lib/errors.ts, which clients' code shares, asks it.

/** Network failures that mean "the database is not there right now", not "this query is wrong". */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** SQLSTATEs of the same: class 08 (connection exception), shutdowns, too many connections. */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const MESSAGES = /connection terminated|timeout exceeded when trying to connect|connection (is )?closed|client has encountered a connection error|cannot use a pool after calling end/i;

/**
 * Whether `error` (or what caused it: drizzle wraps the driver's error) says the database could not
 * be reached, as opposed to a query it refused. Such a failure is a 503 the client may retry, never
 * a 500.
 */
export function isDatabaseOutage(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const { code } = current as Error & { code?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATES.has(code) || code.startsWith('08'))) return true;
    if (MESSAGES.test(current.message)) return true;
  }
  return false;
}

/**
 * Runs `operation`, and while it fails because the database is away, again, backing off, for up
 * to `limitMs`: for writes that must not be lost to a short outage (a reply's final save, its
 * usage record). Any other failure, or the time running out, is thrown.
 */
export async function retryWhileDatabaseAway(operation: () => Promise<unknown>, limitMs = 30_000): Promise<void> {
  const giveUpAt = performance.now() + limitMs;
  for (let wait = 250; ; wait = Math.min(wait * 2, 4000)) {
    try {
      await operation();
      return;
    } catch (error) {
      if (!isDatabaseOutage(error) || performance.now() + wait > giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
