import 'server-only';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { assertStoreKey, type FileStore } from './file-store';

/** Files on local disk, one per key: the embedded default, beside the embedded database. */
export function createDiskStore(directory: string): FileStore {
  const fileOf = (key: string) => {
    assertStoreKey(key);
    return path.join(directory, key);
  };
  return {
    async put(key, bytes) {
      await mkdir(directory, { recursive: true });
      // Written aside and renamed: a reader never sees half a file, and a crash leaves no torn one.
      const partial = `${fileOf(key)}.partial`;
      await writeFile(partial, bytes);
      await rename(partial, fileOf(key));
    },
    async get(key) {
      try {
        return new Uint8Array(await readFile(fileOf(key)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async delete(keys) {
      await Promise.all(keys.map((key) => rm(fileOf(key), { force: true })));
    },
  };
}
