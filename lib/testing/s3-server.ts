import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export interface TestS3Server {
  /** RUNNEL_S3_* for a bucket of this server's. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * A real S3-compatible server (s3rver: the S3 REST API over HTTP, objects on disk) on a free
 * loopback port, with an empty bucket, for this test file alone.
 */
export async function startS3Server(): Promise<TestS3Server> {
  const directory = mkdtempSync(path.join(tmpdir(), 'runnel-s3-'));
  const bucket = 'runnel-test';
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const address = (await server.run()) as AddressInfo;
  return {
    env: {
      RUNNEL_S3_BUCKET: bucket,
      RUNNEL_S3_ENDPOINT: `http://127.0.0.1:${address.port}`,
      RUNNEL_S3_REGION: 'us-east-1',
      // s3rver's fixed credentials.
      RUNNEL_S3_ACCESS_KEY_ID: 'S3RVER',
      RUNNEL_S3_SECRET_ACCESS_KEY: 'S3RVER',
      RUNNEL_S3_PREFIX: `run-${process.pid}/`,
    },
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
