import 'server-only';
import { DeleteObjectsCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Config } from '@/lib/config';
import { assertStoreKey, type FileStore } from './file-store';

/** DeleteObjects takes at most this many keys per request. */
const DELETE_BATCH = 1000;

/** Files in an S3-compatible bucket (AWS, R2, MinIO…): what several instances or Vercel share. */
export function createS3Store(config: S3Config): FileStore {
  const client = new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    // Other S3-compatible services rarely serve bucket subdomains.
    forcePathStyle: config.endpoint !== undefined,
    credentials: config.credentials,
  });
  const objectKey = (key: string) => {
    assertStoreKey(key);
    return `${config.prefix}${key}`;
  };
  return {
    async put(key, bytes, mediaType) {
      await client.send(new PutObjectCommand({ Bucket: config.bucket, Key: objectKey(key), Body: bytes, ContentType: mediaType }));
    },
    async get(key) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: config.bucket, Key: objectKey(key) }));
        return object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
      } catch (error) {
        if (error instanceof NoSuchKey) return undefined;
        throw error;
      }
    },
    async delete(keys) {
      for (let i = 0; i < keys.length; i += DELETE_BATCH) {
        const batch = keys.slice(i, i + DELETE_BATCH).map((key) => ({ Key: objectKey(key) }));
        await client.send(new DeleteObjectsCommand({ Bucket: config.bucket, Delete: { Objects: batch, Quiet: true } }));
      }
    },
  };
}
