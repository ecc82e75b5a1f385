import type { Metadata } from 'next';
import { PageShell } from '@/components/page-shell';
import { currentIdentityId } from '@/lib/auth/session';
import { getDatabase } from '@/lib/db';
import { formatUsd } from '@/lib/usage/cost';
import { usageSummary, type UsageRow } from '@/lib/usage/summary';

export const metadata: Metadata = { title: 'Usage · Runnel' };

/** This browser's usage: totals per day, per model and per API key, with cost at configured prices. */
export default async function UsagePage() {
  const identityId = await currentIdentityId();
  const summary = identityId ? await usageSummary(await getDatabase(), identityId) : undefined;
  return (
    <PageShell title="Usage" current="/usage">
      <p className="mt-1 text-sm text-ink-muted">
        The last {summary?.days ?? 30} days, in UTC. Every request to a model counts, including answers you stopped; counts marked ~ are
        estimated with a tokenizer where the provider reported none. Cost uses the prices configured for each model.
      </p>
      {!summary || summary.total.requests === 0 ? (
        <p className="mt-8 text-sm text-ink-muted">Nothing yet.</p>
      ) : (
        <>
          <UsageTable title="Per day" first="Day" rows={[...summary.byDay, summary.total]} />
          <UsageTable title="Per model" first="Model" rows={summary.byModel} />
          {summary.byKey.length > 0 && <UsageTable title="Per API key" first="Key" rows={summary.byKey} />}
        </>
      )}
    </PageShell>
  );
}

function UsageTable({ title, first, rows }: { title: string; first: string; rows: UsageRow[] }) {
  const id = title.toLowerCase().replaceAll(' ', '-');
  return (
    <section aria-labelledby={id} className="mt-8">
      <h2 id={id} className="mb-2 text-lg font-semibold">
        {title}
      </h2>
      <table className="w-full text-left text-sm tabular-nums">
        <thead className="text-xs text-ink-muted">
          <tr>
            <th className="py-1 font-medium">{first}</th>
            <th className="py-1 text-right font-medium">Requests</th>
            <th className="py-1 text-right font-medium">Tokens in</th>
            <th className="py-1 text-right font-medium">Tokens out</th>
            <th className="py-1 text-right font-medium">Cost</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.label} className="border-t border-line">
              <td className="py-2">{row.label}</td>
              <td className="py-2 text-right">{row.requests.toLocaleString('en-US')}</td>
              <td className="py-2 text-right">{tokens(row, row.inputTokens)}</td>
              <td className="py-2 text-right">{tokens(row, row.outputTokens)}</td>
              <td className="py-2 text-right">{row.costUsd === null ? '—' : formatUsd(row.costUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

const tokens = (row: UsageRow, n: number) => `${row.estimated ? '~' : ''}${n.toLocaleString('en-US')}`;
