import 'server-only';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Everything /api/metrics reports. Updated at the start and end of streams, never per token. */
export interface RunnelMetrics {
  registry: Registry;
  activeStreams: Gauge<'route'>;
  timeToFirstToken: Histogram<'model'>;
  streamDuration: Histogram<'model' | 'outcome'>;
  tokens: Counter<'model' | 'direction' | 'estimated'>;
  upstreamErrors: Counter<'kind'>;
  clientAborts: Counter<'route'>;
  rateLimitRejections: Counter<'limit' | 'scope'>;
}

// On globalThis: every route bundle must count into the same registry.
const holder = globalThis as typeof globalThis & { __runnelMetrics?: RunnelMetrics };

export function metrics(): RunnelMetrics {
  return (holder.__runnelMetrics ??= createMetrics());
}

function createMetrics(): RunnelMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'runnel_' });
  const registers = [registry];
  return {
    registry,
    activeStreams: new Gauge({ name: 'runnel_active_streams', help: 'Replies being generated now.', labelNames: ['route'], registers }),
    timeToFirstToken: new Histogram({
      name: 'runnel_time_to_first_token_seconds',
      help: 'From the request reaching Runnel to the first token from the provider.',
      labelNames: ['model'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32],
      registers,
    }),
    streamDuration: new Histogram({
      name: 'runnel_stream_duration_seconds',
      help: 'How long replies took, by how they ended (done, stopped, error).',
      labelNames: ['model', 'outcome'],
      buckets: [0.5, 1, 2, 5, 10, 20, 40, 80, 160, 320],
      registers,
    }),
    tokens: new Counter({
      name: 'runnel_tokens_total',
      help: 'Tokens relayed: input (prompt) and output (reply), and whether they were estimated.',
      labelNames: ['model', 'direction', 'estimated'],
      registers,
    }),
    upstreamErrors: new Counter({ name: 'runnel_upstream_errors_total', help: 'Provider failures, by kind.', labelNames: ['kind'], registers }),
    clientAborts: new Counter({ name: 'runnel_client_aborts_total', help: 'Replies stopped because the client left or pressed Stop.', labelNames: ['route'], registers }),
    rateLimitRejections: new Counter({ name: 'runnel_rate_limit_rejections_total', help: 'Requests refused by a limit.', labelNames: ['limit', 'scope'], registers }),
  };
}
