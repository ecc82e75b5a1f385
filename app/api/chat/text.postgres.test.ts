import { afterAll, beforeEach, describe } from 'vitest';
import { createTestDatabase } from '@/lib/testing/postgres';
import { routeTestEnvironment } from '@/lib/testing/route-environment';
import { textBoundaryTests } from '@/lib/testing/text-boundary-tests';

// The same boundaries on a real Postgres of this run's own.
const database = await createTestDatabase();
const env = routeTestEnvironment('text-postgres');
beforeEach(() => env.configure({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: env.fake.url, OPENAI_MODEL: 'fake-model', DATABASE_URL: database?.url }));
afterAll(() => database?.drop());

describe.skipIf(database === undefined)('text PostgreSQL refuses, at every boundary (real Postgres)', () => textBoundaryTests(() => env.fake));
