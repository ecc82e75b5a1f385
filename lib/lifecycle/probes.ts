import 'server-only';
import { sql } from 'drizzle-orm';
import { getDatabase } from '@/lib/db';
import { isDraining } from './work';

/**
 * Liveness and readiness, for orchestrators and proxies. Neither asks a model provider: a
 * provider outage must not get containers restarted or taken out of rotation (that is
 * /api/health's report). Liveness is the process and its database; readiness adds "not
 * shutting down", so new work goes to other instances while this one drains.
 */
export interface ProbeReport {
  status: 'ok' | 'draining' | 'database_unavailable';
  /** Which process answered: tells instances behind one proxy apart. */
  pid: number;
  uptimeSeconds: number;
  reason?: string;
}

const DATABASE_TIMEOUT_MS = 2000;

export async function liveness(): Promise<ProbeReport> {
  const base = { pid: process.pid, uptimeSeconds: Math.round(process.uptime()) };
  try {
    await withTimeout(
      getDatabase().then((db) => db.execute(sql`select 1`)),
      DATABASE_TIMEOUT_MS,
    );
    return { status: 'ok', ...base };
  } catch (error) {
    return { status: 'database_unavailable', ...base, reason: error instanceof Error ? error.message : String(error) };
  }
}

export async function readiness(): Promise<ProbeReport> {
  if (isDraining()) return { status: 'draining', pid: process.pid, uptimeSeconds: Math.round(process.uptime()), reason: 'shutting down: new requests go elsewhere' };
  return liveness();
}

/** A probe as an HTTP answer: 200 when ok, else 503. */
export function probeResponse(report: ProbeReport): Response {
  return Response.json(report, { status: report.status === 'ok' ? 200 : 503, headers: { 'cache-control': 'no-store' } });
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
