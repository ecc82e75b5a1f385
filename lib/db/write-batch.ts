import { isDatabaseOutage } from './outage';

interface Pending<T> {
  item: T;
  resolve(): void;
  reject(error: unknown): void;
}

export interface BatchOptions<T> {
  /** At most this many items in one statement. */
  maxBatch?: number;
  /** Items with the same key never share a batch: the later one waits for the next (its write must follow the earlier's). */
  key?: (item: T) => string;
}

/**
 * Writes of one kind, gathered. A write that arrives while a batch is being written waits for it
 * and goes out with every other that arrived meanwhile, as one statement; alone, a write goes out
 * at once. Under load, a thousand replies' saves become a few statements that hold one database
 * connection at a time, so a new chat's question never queues behind them (and the embedded
 * database pays its per-statement cost once per batch).
 *
 * A batch refused for one bad item is written again item by item, so only that item's write
 * fails. When the database is away the whole batch fails, and each caller retries as it would
 * any write.
 */
export function batchedWriter<T>(write: (items: T[]) => Promise<void>, options: BatchOptions<T> = {}): (item: T) => Promise<void> {
  const maxBatch = options.maxBatch ?? 500;
  let queue: Pending<T>[] = [];
  let writing = false;

  const takeBatch = (): Pending<T>[] => {
    if (!options.key) return queue.splice(0, maxBatch);
    const batch: Pending<T>[] = [];
    const rest: Pending<T>[] = [];
    const keys = new Set<string>();
    for (const pending of queue) {
      const key = options.key(pending.item);
      if (batch.length >= maxBatch || keys.has(key)) rest.push(pending);
      else {
        keys.add(key);
        batch.push(pending);
      }
    }
    queue = rest;
    return batch;
  };

  const writeBatch = async (batch: Pending<T>[]) => {
    try {
      await write(batch.map((pending) => pending.item));
      for (const pending of batch) pending.resolve();
    } catch (error) {
      if (batch.length === 1 || isDatabaseOutage(error)) for (const pending of batch) pending.reject(error);
      else for (const pending of batch) await write([pending.item]).then(pending.resolve, pending.reject);
    }
  };

  const drain = async () => {
    writing = true;
    while (queue.length > 0) await writeBatch(takeBatch());
    writing = false;
  };

  return (item) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!writing) void drain();
    });
}
