import 'server-only';
import { Generation } from '@/lib/ai/generation';
import { providerFor } from '@/lib/ai/providers';
import type { Prompt, PromptMessage } from '@/lib/ai/providers/types';
import type { ModelConfig, RunnelConfig } from '@/lib/config';
import type { Database } from '@/lib/db/database';
import { finishAfterResponse, trackGeneration } from '@/lib/lifecycle/work';
import type { StreamPermit } from '@/lib/limits/limits';
import { publishReply, type ReplyOwnership } from '@/lib/resume/resume';
import { meterGeneration, type Attribution } from '@/lib/usage/meter';
import { persistReply } from './persist-reply';
import { samePrompt } from './turn';

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
  /**
   * The question being stored while the model is asked, settling with the prompt its stored
   * history gives. Without it, the question is already stored.
   */
  question?: Promise<PromptMessage[]>;
}

/**
 * Starts a reply the same way for the browser and for the API: sent upstream, metered from start
 * to end, stored as it streams, and known to shutdown while it runs. What it leaves to do after
 * the response (final save, usage record) is work the process finishes before it stops.
 * Resolves at the upstream's first event; rejects with a ChatError before it (the permit is
 * given back either way).
 */
export async function startReply(request: ReplyRequest): Promise<Generation> {
  if (request.question) return startBesideQuestion(request, request.question);
  const generation = await startGeneration(request);
  persist(request, generation);
  return generation;
}

/**
 * Asks the model while the question is being stored, and hands the reply over (to its reader and
 * to storage) only once the question is: nothing of an answer is shown or saved before its
 * question. If storing fails, the upstream request is cancelled and that failure is the answer.
 * If the stored history gives another prompt than the one sent ahead (a client that sent part of
 * its history), the early request is cancelled and the model asked again with the stored one.
 */
async function startBesideQuestion(request: ReplyRequest, question: Promise<PromptMessage[]>): Promise<Generation> {
  const slot = lentPermit(request.permit);
  const [started, stored] = await Promise.allSettled([startGeneration({ ...request, permit: slot.permit }), question]);
  if (stored.status === 'rejected') {
    if (started.status === 'fulfilled') started.value.abort();
    throw stored.reason;
  }
  if (started.status === 'rejected') throw started.reason;
  const generation = started.value;
  if (!samePrompt(stored.value, request.prompt.messages)) {
    generation.abort();
    return startReply({ ...request, prompt: { ...request.prompt, messages: stored.value }, question: undefined });
  }
  slot.keep();
  persist(request, generation);
  return generation;
}

/**
 * Sends the prompt upstream, metered from start to end and known to shutdown while it runs.
 * Resolves at the upstream's first event; rejects with a ChatError before it (the permit is
 * given back either way).
 */
async function startGeneration(request: ReplyRequest): Promise<Generation> {
  const { config, db, model, attribution } = request;
  const meter = meterGeneration(db, attribution, request.permit);
  finishAfterResponse(meter.recorded);
  return Generation.start(
    {
      provider: providerFor(model, config),
      prompt: request.prompt,
      model,
      firstByteTimeoutMs: config.firstByteTimeoutMs,
      onStart: (generation) => {
        trackGeneration(generation);
        if (request.ownership) publishReply(config, generation, request.ownership, request.question);
      },
      onEnd: meter.onEnd,
    },
    request.signal,
  );
}

function persist(request: ReplyRequest, generation: Generation): void {
  const { db, attribution, model } = request;
  finishAfterResponse(persistReply(db, { conversationId: attribution.conversationId, parentId: request.parentId, model: model.id }, generation));
}

/**
 * The permit as an early generation holds it: its tokens are charged, but its slot is given back
 * only once it is known to be the reply (the caller gives it back otherwise, or a second request
 * takes it over).
 */
function lentPermit(permit: StreamPermit): { permit: StreamPermit; keep(): void } {
  let kept = false;
  let releaseAsked = false;
  return {
    permit: {
      release: () => {
        releaseAsked = true;
        return kept ? permit.release() : Promise.resolve();
      },
      chargeTokens: (tokens) => permit.chargeTokens(tokens),
    },
    keep() {
      kept = true;
      // It ended before it was known to be the reply: its slot is free now.
      if (releaseAsked) void permit.release();
    },
  };
}
