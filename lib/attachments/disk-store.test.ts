import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { fileStoreTests } from '@/lib/testing/file-store-tests';
import { createDiskStore } from './disk-store';

const directory = mkdtempSync(path.join(tmpdir(), 'runnel-files-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('disk store', () => {
  fileStoreTests(() => createDiskStore(path.join(directory, 'attachments')));

  test('leaves no partial files behind', () => {
    expect(readdirSync(path.join(directory, 'attachments')).filter((name) => name.endsWith('.partial'))).toEqual([]);
  });
});
