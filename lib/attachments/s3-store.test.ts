import { afterAll, beforeAll, describe } from 'vitest';
import { parseConfig } from '@/lib/config';
import { fileStoreTests } from '@/lib/testing/file-store-tests';
import { startS3Server, type TestS3Server } from '@/lib/testing/s3-server';
import type { FileStore } from './file-store';
import { createS3Store } from './s3-store';

// Against a real S3-compatible server on loopback, configured as a deployment would be (RUNNEL_S3_*).
let server: TestS3Server;
let store: FileStore;
beforeAll(async () => {
  server = await startS3Server();
  store = createS3Store(parseConfig(server.env).attachments.s3!);
});
afterAll(() => server.close());

describe('S3 store', () => {
  fileStoreTests(() => store);
});
