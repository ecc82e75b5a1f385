// No 'server-only' marker: next.config.ts checks this at build time.

/** What Vercel deployments must set, said once for the build (next.config.ts) and the start (lib/config.ts). */
export const VERCEL_NEEDS_DATABASE =
  'Invalid Runnel configuration: on Vercel, Runnel needs a PostgreSQL database: the embedded one would be written to a read-only disk and lost with each function instance. Add a Postgres integration (e.g. Neon) from the Vercel Marketplace, which sets DATABASE_URL or POSTGRES_URL, or set DATABASE_URL yourself.';

/** Whether this environment is a Vercel deployment with no database named. */
export function vercelWithoutDatabase(env: { VERCEL?: string; DATABASE_URL?: string; POSTGRES_URL?: string; [name: string]: unknown }): boolean {
  return Boolean(env.VERCEL) && !env.DATABASE_URL && !env.POSTGRES_URL;
}
