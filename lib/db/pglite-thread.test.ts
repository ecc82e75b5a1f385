import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { isDatabaseOutage } from './outage';
import { PGliteThread } from './pglite-thread';

const dir = mkdtempSync(path.join(tmpdir(), 'runnel-pglite-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('the embedded database on its own thread: errors keep their SQLSTATE, transactions commit or roll back, a closed one is an outage', async () => {
  const db = await PGliteThread.open(path.join(dir, 'db'));
  await expect(db.query('select * from missing')).rejects.toMatchObject({ code: '42P01', message: expect.stringContaining('missing') });
  await db.query('create table notes (text text not null)');
  await db.transaction(async (tx) => void (await tx.query('insert into notes values ($1)', ['kept'])));
  await expect(
    db.transaction(async (tx) => {
      await tx.query('insert into notes values ($1)', ['undone']);
      throw new Error('changed my mind');
    }),
  ).rejects.toThrow('changed my mind');
  // A failed statement inside a transaction undoes the transaction's earlier ones.
  await expect(db.transaction(async (tx) => (await tx.query('insert into notes values ($1)', ['undone too']), tx.query('insert into notes values (null)')))).rejects.toMatchObject({ code: '23502' });
  expect((await db.query('select text from notes')).rows).toEqual([{ text: 'kept' }]);
  await db.close();
  const afterClose = await db.query('select 1').catch((error: unknown) => error);
  expect(isDatabaseOutage(afterClose)).toBe(true);
});
