// @ts-check
/**
 * The embedded database's own thread. PGlite is Postgres compiled to WASM: every query runs
 * synchronously on the thread that owns it. Here, that thread is not the one relaying streams, so
 * a save never holds up a token and the machine's second core does the database's work.
 *
 * Plain JavaScript, loaded by path (lib/db/pglite-thread.ts), so neither bundler rewrites it; the
 * image copies it beside the migrations.
 *
 * Messages in: { id, op: 'query', sql, params, rowMode, rawTypes, tx? } | { id, op: 'begin' }
 * | { id, op: 'commit' | 'rollback', tx } | { id, op: 'close' }. Out: { id, result } | { id, error }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

if (!parentPort) throw new Error('pglite-worker.mjs runs as a worker thread');
const port = parentPort;

/**
 * Postgres's default cache is 128 MB of a WASM heap that never shrinks; an embedded chat
 * database's working set is a few MB, so a small one costs nothing in speed.
 */
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

/** @typedef {{ query: (sql: string, params?: unknown[], options?: object) => Promise<unknown> }} Queryable */
/** @type {Map<number, { tx: Queryable, finish: (commit: boolean) => void, done: Promise<unknown> }>} */
const transactions = new Map();
let nextTransaction = 1;

/** @param {unknown} error */
function describe(error) {
  if (!(error instanceof Error)) return { message: String(error) };
  const { message, name } = error;
  const fields = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (error));
  // What callers look at: the SQLSTATE and its details.
  return { message, name, code: fields.code, detail: fields.detail, constraint: fields.constraint, table: fields.table, column: fields.column, severity: fields.severity };
}

/** drizzle leaves these types as text (its own parsers are functions, which cannot cross threads). */
/** @param {number[]} rawTypes */
const parsersFor = (rawTypes) => Object.fromEntries(rawTypes.map((oid) => [oid, (/** @type {string} */ value) => value]));

/**
 * @param {Queryable} db
 * @param {{ sql: string, params?: unknown[], rowMode?: string, rawTypes?: number[] }} message
 */
async function query(db, message) {
  const result = /** @type {{ rows: unknown[], affectedRows?: number, fields: unknown[] }} */ (
    await db.query(message.sql, message.params, { rowMode: message.rowMode, parsers: parsersFor(message.rawTypes ?? []) })
  );
  return { rows: result.rows, affectedRows: result.affectedRows, fields: result.fields };
}

/**
 * Holds a PGlite transaction open until its commit or rollback arrives; PGlite keeps every other
 * query waiting meanwhile, as one connection would.
 * @param {PGlite} db
 */
function begin(db) {
  const id = nextTransaction++;
  return new Promise((resolve, reject) => {
    const done = db.transaction(
      (tx) =>
        new Promise((commit, rollback) => {
          transactions.set(id, { tx, finish: (ok) => (ok ? commit(undefined) : rollback(new Error('rolled back'))), done });
          resolve(id);
        }),
    );
    // Fails the begin if BEGIN itself failed; later failures reach whoever ends it.
    done.catch(reject).finally(() => transactions.delete(id));
  });
}

/** @param {{ op: string, tx?: number }} message */
async function end(message) {
  const transaction = transactions.get(/** @type {number} */ (message.tx));
  if (!transaction) throw new Error(`no open transaction ${message.tx}`);
  transaction.finish(message.op === 'commit');
  // A failed COMMIT is the caller's error; a rollback's own rejection is what was asked for.
  await transaction.done.catch((error) => {
    if (message.op === 'commit') throw error;
  });
}

/** @param {PGlite} db @param {number | undefined} tx */
function target(db, tx) {
  if (tx === undefined) return db;
  const transaction = transactions.get(tx);
  if (!transaction) throw new Error(`no open transaction ${tx}`);
  return transaction.tx;
}

async function main() {
  const db = await PGlite.create(workerData.dataDir, { startParams: START_PARAMS });
  if (workerData.createOnly) {
    // A new database's initdb leaves hundreds of MB in this thread's heap; the caller starts a
    // fresh thread to serve from, and this one's memory goes back to the system.
    await db.close();
    port.postMessage({ id: 0, result: 'created' });
    return;
  }
  port.on('message', async (/** @type {{ id: number, op: string, tx?: number, sql: string, params?: unknown[], rowMode?: string, rawTypes?: number[] }} */ message) => {
    try {
      let result;
      if (message.op === 'query') result = await query(target(db, message.tx), message);
      else if (message.op === 'begin') result = await begin(db);
      else if (message.op === 'commit' || message.op === 'rollback') result = await end(message);
      else if (message.op === 'close') {
        await db.close();
        result = 'closed';
      }
      port.postMessage({ id: message.id, result });
    } catch (error) {
      port.postMessage({ id: message.id, error: describe(error) });
    }
  });
  port.postMessage({ id: 0, result: 'ready' });
}

main().catch((error) => port.postMessage({ id: 0, error: describe(error) }));
