import type { ModelPrices } from '@/lib/config';
import type { TokenUsage } from '@/lib/ai/providers/types';

/** What a reply cost at the model's configured prices (USD per million tokens); unknown without prices. */
export function costUsd(usage: Pick<TokenUsage, 'inputTokens' | 'outputTokens'>, prices: ModelPrices | undefined): number | undefined {
  if (!prices) return undefined;
  // Rounded to a millionth of a cent: sums of many small requests stay exact enough.
  return Math.round((usage.inputTokens * prices.input + usage.outputTokens * prices.output) * 100) / 1e8;
}
