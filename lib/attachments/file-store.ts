import 'server-only';
import { isAttachmentId } from './parts';

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
export function assertStoreKey(key: string): void {
  if (!isAttachmentId(key)) throw new Error(`Not a file store key: ${JSON.stringify(key)}`);
}
