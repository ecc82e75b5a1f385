import 'server-only';
import type { Generation } from '@/lib/ai/generation';
import type { Database } from '@/lib/db/database';
import { retryWhileDatabaseAway } from '@/lib/db/outage';
import { recordUsage } from '@/lib/db/batched-writes';
import type { StreamPermit } from '@/lib/limits/limits';
import { metrics } from '@/lib/metrics/registry';
import { accountUsage } from './account';

/** Whom a generation's tokens are billed to, and where its reply is stored. */
export interface Attribution {
  route: 'chat' | 'v1';
  identityId: string;
  apiKeyId?: string;
  conversationId: string;
  clientIp?: string;
}

/**
 * One generation's metering: `onEnd` is its generation's end hook; `recorded` settles once its
 * limit slot is given back, its tokens charged and its usage stored.
 */
export interface GenerationMeter {
  onEnd(generation: Generation): void;
  recorded: Promise<void>;
}

/**
 * Starts metering one generation. When it ends, the stream slot is given back at once, then the
 * usage is counted, charged to the day's token budgets, recorded, and reported to metrics. This
 * runs whether the reply finished, failed or was abandoned, since the generation ends either way.
 */
export function meterGeneration(db: Database, attribution: Attribution, permit: StreamPermit): GenerationMeter {
  const m = metrics();
  m.activeStreams.inc({ route: attribution.route });
  let ended!: (end: { generation: Generation; released: Promise<void> }) => void;
  const endedGeneration = new Promise<{ generation: Generation; released: Promise<void> }>((resolve) => (ended = resolve));
  const recorded = endedGeneration.then(async ({ generation, released }) => {
    const usage = await accountUsage(generation);
    const model = generation.model.id;
    const estimated = String(usage.estimated);
    m.tokens.inc({ model, direction: 'input', estimated }, usage.inputTokens);
    m.tokens.inc({ model, direction: 'output', estimated }, usage.outputTokens);
    await Promise.all([
      released,
      permit.chargeTokens(usage.totalTokens),
      retryWhileDatabaseAway(() =>
        recordUsage(db, {
          identityId: attribution.identityId,
          apiKeyId: attribution.apiKeyId,
          conversationId: attribution.conversationId,
          messageId: generation.messageId,
          model,
          outcome: generation.status,
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
          totalTokens: usage.totalTokens,
          estimated: usage.estimated,
          costUsd: usage.costUsd,
          clientIp: attribution.clientIp,
        }),
      ),
    ]);
  });
  return {
    onEnd(generation) {
      m.activeStreams.dec({ route: attribution.route });
      const released = permit.release();
      observeEnd(generation, attribution.route);
      ended({ generation, released });
    },
    recorded: recorded.catch((error: unknown) => console.error(`[runnel] recording usage of a ${attribution.route} reply failed`, error)),
  };
}

function observeEnd(generation: Generation, route: Attribution['route']): void {
  const m = metrics();
  const model = generation.model.id;
  const { firstTokenMs, durationMs } = generation.timing();
  if (firstTokenMs !== undefined) m.timeToFirstToken.observe({ model }, firstTokenMs / 1000);
  m.streamDuration.observe({ model, outcome: generation.status }, durationMs / 1000);
  if (generation.status === 'stopped') m.clientAborts.inc({ route });
  if (generation.status === 'error') m.upstreamErrors.inc({ kind: generation.error?.code ?? 'unknown' });
}
