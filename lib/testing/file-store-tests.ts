import { randomUUID } from 'node:crypto';
import { expect, test } from 'vitest';
import type { FileStore } from '@/lib/attachments/file-store';
import { PNG_BYTES } from './sample-files';

/** What every file store must do, run against each backend (disk-store.test.ts, s3-store.test.ts). */
export function fileStoreTests(store: () => FileStore): void {
  test('keeps bytes by key, exactly', async () => {
    const key = randomUUID();
    await store().put(key, PNG_BYTES, 'image/png');
    expect(Buffer.from((await store().get(key))!).equals(PNG_BYTES)).toBe(true);
  });

  test('a key never stored reads as absent', async () => {
    expect(await store().get(randomUUID())).toBeUndefined();
  });

  test('deletes many at once; deleting what is not there is no error', async () => {
    const keys = [randomUUID(), randomUUID(), randomUUID()];
    for (const key of keys) await store().put(key, new Uint8Array([1, 2, 3]), 'text/plain');
    await store().delete([...keys.slice(0, 2), randomUUID()]);
    expect(await store().get(keys[0]!)).toBeUndefined();
    expect(await store().get(keys[1]!)).toBeUndefined();
    expect(await store().get(keys[2]!)).toEqual(new Uint8Array([1, 2, 3]));
  });

  test('refuses keys that are not attachment ids, so none can leave the store', async () => {
    await expect(store().put('../escape', new Uint8Array([1]), 'text/plain')).rejects.toThrow(/Not a file store key/);
    await expect(store().get('a/b')).rejects.toThrow(/Not a file store key/);
  });
}
