import 'server-only';
import path from 'node:path';
import { getConfig, type RunnelConfig } from '@/lib/config';
import { createDiskStore } from './disk-store';
import type { FileStore } from './file-store';
import { createS3Store } from './s3-store';

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
