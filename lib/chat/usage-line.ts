import { formatUsd } from '@/lib/usage/cost';
import type { MessageMetadata } from './message';

/**
 * What is shown under an answer about its cost and speed, in short phrases: tokens in and out
 * (marked "~" when estimated), cost, time to first token, tokens per second. Missing figures are
 * left out rather than shown as zero.
 */
export function usagePhrases(metadata: MessageMetadata | undefined): string[] {
  const phrases: string[] = [];
  const usage = metadata?.usage;
  const approx = usage?.estimated ? '~' : '';
  if (usage?.inputTokens !== undefined && usage.outputTokens !== undefined) {
    phrases.push(`${approx}${count(usage.inputTokens)} in / ${approx}${count(usage.outputTokens)} out`);
  }
  if (usage?.costUsd !== undefined) phrases.push(formatUsd(usage.costUsd));
  const timing = metadata?.timing;
  if (timing?.firstTokenMs !== undefined) phrases.push(`${seconds(timing.firstTokenMs)} to first token`);
  const rate = tokensPerSecond(usage?.outputTokens, timing);
  if (rate !== undefined) phrases.push(`${rate} tok/s`);
  return phrases;
}

const count = (n: number) => n.toLocaleString('en-US');

const seconds = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** Output tokens over the time they took to arrive (after the first). */
function tokensPerSecond(outputTokens: number | undefined, timing: MessageMetadata['timing']): number | undefined {
  if (!outputTokens || outputTokens < 2 || timing?.firstTokenMs === undefined || timing.durationMs === undefined) return undefined;
  const streamingMs = timing.durationMs - timing.firstTokenMs;
  if (streamingMs <= 0) return undefined;
  const rate = outputTokens / (streamingMs / 1000);
  return rate >= 100 ? Math.round(rate) : Math.round(rate * 10) / 10;
}
