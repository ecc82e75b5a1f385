import { expect, test } from 'vitest';
import { batchedWriter } from './write-batch';

/** A write that records its batches and waits until told to finish each. */
function recordingWrite(fail?: (item: string) => Error | undefined) {
  const batches: string[][] = [];
  let finish: (() => void) | undefined;
  const write = async (items: string[]) => {
    batches.push(items);
    await new Promise<void>((resolve) => (finish = resolve));
    const error = items.map((item) => fail?.(item)).find(Boolean);
    if (error) throw error;
  };
  const finishBatch = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    finish?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { batches, write, finishBatch };
}

test('a write alone goes out at once; those that arrive while it is written go out together, in order', async () => {
  const { batches, write, finishBatch } = recordingWrite();
  const add = batchedWriter(write);
  const first = add('a');
  expect(batches).toEqual([['a']]);
  const rest = ['b', 'c', 'd'].map(add);
  await finishBatch();
  await first;
  expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
  await finishBatch();
  await Promise.all(rest);
});

test('at most maxBatch items a statement; items of one key never share one', async () => {
  const { batches, write, finishBatch } = recordingWrite();
  const add = batchedWriter(write, { maxBatch: 2, key: (item) => item[0]! });
  const all = ['x1', 'a1', 'a2', 'b1', 'c1'].map(add);
  for (let i = 0; i < 4; i++) await finishBatch();
  await Promise.all(all);
  expect(batches).toEqual([['x1'], ['a1', 'b1'], ['a2', 'c1']]);
});

test('one bad item fails its own write only; a database outage fails every write of the batch', async () => {
  const bad = Object.assign(new Error('violates foreign key constraint'), { code: '23503' });
  const outage = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  const { write, finishBatch } = recordingWrite((item) => (item === 'bad' ? bad : item === 'away' ? outage : undefined));
  const add = batchedWriter(write);
  const first = add('first');
  const results = ['good', 'bad', 'also good'].map((item) => add(item).then(() => 'saved', (error: Error) => error.message));
  for (let i = 0; i < 5; i++) await finishBatch();
  await first;
  expect(await Promise.all(results)).toEqual(['saved', 'violates foreign key constraint', 'saved']);

  const blocker = add('blocker');
  const away = ['away', 'innocent'].map((item) => add(item).then(() => 'saved', (error: Error) => error.message));
  for (let i = 0; i < 3; i++) await finishBatch();
  await blocker;
  expect(await Promise.all(away)).toEqual(['connect ECONNREFUSED', 'connect ECONNREFUSED']);
});
