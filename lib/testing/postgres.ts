import { Client } from 'pg';

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A new, empty Postgres database of its own for this test run, dropped afterwards, so runs never
 * collide. Where no Postgres answers, outside CI, says so and returns undefined (the tests using
 * it skip); in CI (CI=true) a missing Postgres is a failure.
 */
export async function createTestDatabase(): Promise<TestDatabase | undefined> {
  const admin = new Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (error) {
    if (process.env.CI) throw new Error(`Postgres is required in CI but ${ADMIN_URL} did not answer: ${String(error)}`);
    console.warn(`[tests] no Postgres at ${ADMIN_URL} (${String(error)}): the real-Postgres tests are skipped`);
    return undefined;
  }
  const name = `runnel_test_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new Client({ connectionString: ADMIN_URL });
      await client.connect();
      try {
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
