import { timingSafeEqual } from 'node:crypto';
import { getConfig } from '@/lib/config';
import { ChatError, toChatError } from '@/lib/errors';
import { metrics } from '@/lib/metrics/registry';

/** GET /api/metrics: Prometheus text format, for a scraper holding RUNNEL_METRICS_TOKEN. */
export async function GET(request: Request): Promise<Response> {
  try {
    const { metricsToken } = getConfig();
    if (!metricsToken) throw new ChatError('not_found', 'Metrics are off. Set RUNNEL_METRICS_TOKEN to turn them on.');
    const given = /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '')?.[1] ?? '';
    if (!sameSecret(given, metricsToken)) {
      throw new ChatError('unauthorized', 'Send the metrics token as "Authorization: Bearer <RUNNEL_METRICS_TOKEN>".');
    }
    const { registry } = metrics();
    return new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' } });
  } catch (error) {
    const failure = toChatError(error);
    return failure.toResponse(failure.code === 'unauthorized' ? { 'www-authenticate': 'Bearer' } : undefined);
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
