import type { Database } from './database';
import { addUsageRecords, saveReplies, type NewUsageRecord, type ReplyRow } from './queries';
import { batchedWriter } from './write-batch';

/**
 * The writes every reply makes after its first token (its row as it grows and ends, its usage
 * record), gathered per database into as few statements as the load allows (write-batch.ts).
 */
interface BatchedWrites {
  saveReply(row: ReplyRow): Promise<void>;
  recordUsage(record: NewUsageRecord): Promise<void>;
}

const byDatabase = new WeakMap<Database, BatchedWrites>();

function batchedWrites(db: Database): BatchedWrites {
  let writes = byDatabase.get(db);
  if (!writes) {
    writes = {
      saveReply: batchedWriter((rows: ReplyRow[]) => saveReplies(db, rows), { key: (row) => row.conversationId }),
      recordUsage: batchedWriter((records: NewUsageRecord[]) => addUsageRecords(db, records)),
    };
    byDatabase.set(db, writes);
  }
  return writes;
}

/** Saves a reply's row as it stands (added on its first save). */
export const saveReply = (db: Database, row: ReplyRow): Promise<void> => batchedWrites(db).saveReply(row);

/** Records a request's usage. */
export const recordUsage = (db: Database, record: NewUsageRecord): Promise<void> => batchedWrites(db).recordUsage(record);
