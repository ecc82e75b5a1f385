import 'server-only';
import path from 'node:path';
import { getConfig, type RunnelConfig } from '@/lib/config';
import { createDiskStore } from './disk-store';
import { createS3Store } from './s3-store';

/**
 * Where attachments' bytes live, by key (an attachment's id). Small on purpose: the database
 * knows whose a file is; the store only keeps bytes.
 */
export interface FileStore {
  put(key: string, bytes: Uint8Array, mediaType: string): Promise<void>;
  /** Undefined when there is no such file. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Deleting a file that is not there is no error. */
  delete(keys: string[]): Promise<void>;
}

/** Keys are attachment ids (UUIDs): nothing else reaches a store, so no key can walk out of it. */
const KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function assertStoreKey(key: string): void {
  if (!KEY.test(key)) throw new Error(`Not a file store key: ${JSON.stringify(key)}`);
}

/** The store this configuration names: its bucket, or the data directory's `attachments/`. */
export function fileStoreFor(config: Pick<RunnelConfig, 'attachments' | 'dataDir'>): FileStore {
  const { s3 } = config.attachments;
  return s3 ? createS3Store(s3) : createDiskStore(path.join(config.dataDir, 'attachments'));
}

const holder = globalThis as typeof globalThis & { runnelFileStore?: { config: RunnelConfig; store: FileStore } };

/** The process's file store, made once per configuration (tests swap the configuration). */
export function getFileStore(): FileStore {
  const config = getConfig();
  if (holder.runnelFileStore?.config !== config) holder.runnelFileStore = { config, store: fileStoreFor(config) };
  return holder.runnelFileStore.store;
}
