import { checkHealth } from '@/lib/ai/health';
import { getConfig } from '@/lib/config';

/** GET /api/health: 200 when the default model's provider answers, else 503 with the reason. */
export async function GET(): Promise<Response> {
  const report = await checkHealth(getConfig());
  return Response.json(report, { status: report.status === 'ok' ? 200 : 503, headers: { 'cache-control': 'no-store' } });
}
