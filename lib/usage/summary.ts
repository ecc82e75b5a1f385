import 'server-only';
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '@/lib/db/database';

/** One row of a usage table: a day, a model or a key, with what it spent. */
export interface UsageRow {
  label: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  /** Unknown when none of its models has prices. */
  costUsd: number | null;
  /** Some of its counts are tokenizer estimates. */
  estimated: boolean;
}

export interface UsageSummary {
  days: number;
  total: UsageRow;
  byDay: UsageRow[];
  byModel: UsageRow[];
  byKey: UsageRow[];
}

const totals = sql`count(*)::int as "requests",
  coalesce(sum(input_tokens), 0)::int as "inputTokens",
  coalesce(sum(output_tokens), 0)::int as "outputTokens",
  sum(cost_usd) as "costUsd",
  coalesce(bool_or(estimated), false) as "estimated"`;

/** An identity's usage over the last `days` days, newest day first; its API keys' share apart. */
export async function usageSummary(db: Database, identityId: string, days = 30): Promise<UsageSummary> {
  const since = sql`now() - make_interval(days => ${days})`;
  const mine = sql`u.identity_id = ${identityId} and u.created_at >= ${since}`;
  const [total, byDay, byModel, byKey] = await Promise.all([
    queryRows<UsageRow>(db, sql`select 'Total' as "label", ${totals} from usage_records u where ${mine}`),
    queryRows<UsageRow>(db, sql`select to_char(date_trunc('day', u.created_at at time zone 'UTC'), 'YYYY-MM-DD') as "label", ${totals}
      from usage_records u where ${mine} group by 1 order by 1 desc`),
    queryRows<UsageRow>(db, sql`select u.model as "label", ${totals} from usage_records u where ${mine} group by 1 order by "costUsd" desc nulls last, 1`),
    queryRows<UsageRow>(db, sql`select k.name || ' (' || k.prefix || '…)' as "label", ${totals}
      from usage_records u join api_keys k on k.id = u.api_key_id where ${mine} group by k.id, k.name, k.prefix order by 1`),
  ]);
  const number = (row: UsageRow): UsageRow => ({ ...row, costUsd: row.costUsd === null ? null : Number(row.costUsd) });
  return { days, total: number(total[0]!), byDay: byDay.map(number), byModel: byModel.map(number), byKey: byKey.map(number) };
}
