import 'server-only';
import { Generation } from '@/lib/ai/generation';
import { providerFor } from '@/lib/ai/providers';
import type { Prompt } from '@/lib/ai/providers/types';
import type { ModelConfig, RunnelConfig } from '@/lib/config';
import type { Database } from '@/lib/db/database';
import { finishAfterResponse, trackGeneration } from '@/lib/lifecycle/work';
import type { StreamPermit } from '@/lib/limits/limits';
import { publishReply, type ReplyOwnership } from '@/lib/resume/resume';
import { meterGeneration, type Attribution } from '@/lib/usage/meter';
import { persistReply } from './persist-reply';

export interface ReplyRequest {
  config: RunnelConfig;
  db: Database;
  model: ModelConfig;
  prompt: Prompt;
  /** Where the reply is stored and whom it is billed to. */
  attribution: Attribution;
  /** The user message the reply answers. */
  parentId: string;
  /** Taken by the caller; from here on the generation gives it back when it ends. */
  permit: StreamPermit;
  /** The client's request: its end cancels the upstream request. Not given for a resumable reply, which outlives it. */
  signal?: AbortSignal;
  /** A chat reply, which readers may come back to (resume) and stop from anywhere. */
  ownership?: ReplyOwnership;
}

/**
 * Starts a reply the same way for the browser and for the API: sent upstream, metered from start
 * to end, stored as it streams, and known to shutdown while it runs. What it leaves to do after
 * the response (final save, usage record) is work the process finishes before it stops.
 * Resolves at the upstream's first event; rejects with a ChatError before it (the permit is
 * given back either way).
 */
export async function startReply(request: ReplyRequest): Promise<Generation> {
  const { config, db, model, attribution } = request;
  const meter = meterGeneration(db, attribution, request.permit);
  finishAfterResponse(meter.recorded);
  const generation = await Generation.start(
    {
      provider: providerFor(model, config),
      prompt: request.prompt,
      model,
      firstByteTimeoutMs: config.firstByteTimeoutMs,
      onStart: (generation) => {
        trackGeneration(generation);
        if (request.ownership) publishReply(config, generation, request.ownership);
      },
      onEnd: meter.onEnd,
    },
    request.signal,
  );
  finishAfterResponse(persistReply(db, { conversationId: attribution.conversationId, parentId: request.parentId, model: model.id }, generation));
  return generation;
}
