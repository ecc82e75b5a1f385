import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * The embedded database (PGlite) on a thread of its own (pglite-worker.mjs), seen through the
 * part of PGlite's interface that drizzle's PGlite driver uses: `query` and `transaction`.
 * Loaded by path from the project folder, like the migrations, so no bundler rewrites it.
 */
const WORKER_FILE = path.join(process.cwd(), 'lib/db/pglite-worker.mjs');

interface QueryOptions {
  rowMode?: 'array' | 'object';
  /** drizzle's parsers: per type id, a function; those it gives all keep the value as text. */
  parsers?: Record<number, unknown>;
}

export interface QueryResult {
  rows: unknown[];
  affectedRows?: number;
  fields: { name: string; dataTypeID: number }[];
}

interface Queryable {
  query(sql: string, params?: unknown[], options?: QueryOptions): Promise<QueryResult>;
}

type Reply = { id: number; result?: unknown; error?: { message: string; name?: string; code?: string } & Record<string, unknown> };

/** An error the database thread reported, with its SQLSTATE and details, as PGlite's own would carry them. */
function rebuild(error: NonNullable<Reply['error']>): Error {
  return Object.assign(new Error(error.message), error);
}

export class PGliteThread implements Queryable {
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private nextId = 1;
  private gone: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: Reply) => this.settle(reply));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`the embedded database thread exited (${code}): connection closed`)));
  }

  /**
   * Opens the database in `dir` (created if new). A new database is created on a first, throwaway
   * thread: initdb leaves some 500 MB behind in the heap that ran it, which the serving thread
   * then never carries.
   */
  static async open(dir: string): Promise<PGliteThread> {
    if (!existsSync(path.join(dir, 'PG_VERSION'))) await (await startWorker(dir, { createOnly: true })).terminate();
    return new PGliteThread(await startWorker(dir, {}));
  }

  query(sql: string, params: unknown[] = [], options: QueryOptions = {}): Promise<QueryResult> {
    return this.call({ op: 'query', sql, params, ...wireOptions(options) }) as Promise<QueryResult>;
  }

  /**
   * Runs `work` in a transaction: BEGIN, its queries, then COMMIT, or ROLLBACK if it throws.
   * Other queries wait for it, as they would for PGlite's own.
   */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const tx = (await this.call({ op: 'begin' })) as number;
    const scoped: Queryable = { query: (sql, params = [], options = {}) => this.call({ op: 'query', tx, sql, params, ...wireOptions(options) }) as Promise<QueryResult> };
    let result: T;
    try {
      result = await work(scoped);
    } catch (error) {
      await this.call({ op: 'rollback', tx }).catch(() => {});
      throw error;
    }
    await this.call({ op: 'commit', tx });
    return result;
  }

  async close(): Promise<void> {
    if (this.gone) return;
    await this.call({ op: 'close' }).catch(() => {});
    await this.worker.terminate();
  }

  private call(message: Record<string, unknown>): Promise<unknown> {
    if (this.gone) return Promise.reject(this.gone);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...message });
    });
  }

  private settle(reply: Reply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (reply.error) waiting.reject(rebuild(reply.error));
    else waiting.resolve(reply.result);
  }

  /** The thread is gone: everything waiting, and everything after, fails as a lost connection does. */
  private fail(error: Error): void {
    this.gone ??= error;
    for (const waiting of this.pending.values()) waiting.reject(this.gone);
    this.pending.clear();
  }
}

/** A database thread for `dir`, once it has opened it (or, `createOnly`, created it). */
function startWorker(dir: string, options: { createOnly?: boolean }): Promise<Worker> {
  const worker = new Worker(WORKER_FILE, { workerData: { dataDir: dir, ...options } });
  return new Promise((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`the embedded database thread exited (${code}) while opening ${dir}`));
    worker.once('error', reject);
    worker.once('exit', onExit);
    worker.once('message', (reply: Reply) => {
      worker.off('error', reject);
      worker.off('exit', onExit);
      if (!reply.error) return resolve(worker);
      void worker.terminate();
      reject(rebuild(reply.error));
    });
  });
}

/** Options as the thread takes them: functions cannot cross, so parsers become the type ids to keep as text. */
const wireOptions = (options: QueryOptions) => ({ rowMode: options.rowMode ?? 'object', rawTypes: Object.keys(options.parsers ?? {}).map(Number) });
