import 'server-only';
import type { Generation } from '@/lib/ai/generation';
import type { TokenUsage } from '@/lib/ai/providers/types';
import type { StoredUsage } from '@/lib/db/schema';
import { costUsd } from './cost';
import { estimateUsage } from './estimate';

/** A generation's final token counts and cost, as stored and billed. */
export type AccountedUsage = Required<Pick<StoredUsage, 'inputTokens' | 'outputTokens' | 'totalTokens' | 'estimated'>> & Pick<StoredUsage, 'costUsd'>;

const accounted = new WeakMap<Generation, Promise<AccountedUsage>>();

/**
 * The usage of an ended generation: the provider's figures when it reported them; else, if the
 * upstream accepted the request, counted with a tokenizer over the prompt and everything
 * received; else (refused, unreachable) nothing, since nothing is billed. Computed once per
 * generation, after the current turn of the event loop, so counting a long prompt never delays
 * the end of the stream.
 */
export function accountUsage(generation: Generation): Promise<AccountedUsage> {
  let result = accounted.get(generation);
  if (!result) {
    result = new Promise<void>((resolve) => setImmediate(resolve)).then(() => count(generation));
    accounted.set(generation, result);
  }
  return result;
}

async function count(generation: Generation): Promise<AccountedUsage> {
  const reported = generation.usage;
  const usage = reported ?? (generation.upstreamAccepted ? await estimate(generation) : { inputTokens: 0, outputTokens: 0, totalTokens: 0 });
  const cost = costUsd(usage, generation.model.prices);
  return { ...usage, estimated: !reported && generation.upstreamAccepted, ...(cost !== undefined && { costUsd: cost }) };
}

/** The tokenizer's counts, with the provider's own prompt count where it gave one (Anthropic does, up front). */
async function estimate(generation: Generation): Promise<TokenUsage> {
  // Reasoning is billed as output too.
  return estimateUsage(generation.prompt.messages, generation.reasoningText() + generation.text, generation.reportedInputTokens);
}
