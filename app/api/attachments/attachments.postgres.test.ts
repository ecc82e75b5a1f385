import { afterAll, beforeAll, describe } from 'vitest';
import { closeDatabase } from '@/lib/db';
import { attachmentModels, attachmentTests } from '@/lib/testing/attachment-tests';
import { createTestDatabase } from '@/lib/testing/postgres';
import { routeTestEnvironment } from '@/lib/testing/route-environment';
import { startS3Server, type TestS3Server } from '@/lib/testing/s3-server';

// The production path: a real Postgres of this run's own, files in a bucket of a real S3-compatible server.
const env = routeTestEnvironment('attachments-pg');
const database = await createTestDatabase();
let s3: TestS3Server;

describe.skipIf(database === undefined)('attachments (real Postgres, files in S3)', () => {
  beforeAll(async () => {
    s3 = await startS3Server();
  });
  afterAll(async () => {
    await s3.close();
    await closeDatabase();
    await database?.drop();
  });
  attachmentTests((extra) => env.configure({ ...attachmentModels(env.fake), DATABASE_URL: database!.url, ...s3.env, ...extra }), () => env.fake);
});
