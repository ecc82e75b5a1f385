import type { ModelPrices } from '@/lib/config';
import type { TokenUsage } from '@/lib/ai/providers/types';

/** What a reply cost at the model's configured prices (USD per million tokens); unknown without prices. */
export function costUsd(usage: Pick<TokenUsage, 'inputTokens' | 'outputTokens'>, prices: ModelPrices | undefined): number | undefined {
  if (!prices) return undefined;
  // Rounded to a millionth of a cent: sums of many small requests stay exact enough.
  return Math.round((usage.inputTokens * prices.input + usage.outputTokens * prices.output) * 100) / 1e8;
}

/** "$0", "$0.00039" (two significant digits below a cent), "$1.23". */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (usd < 0.01) return `$${usd.toPrecision(2)}`;
  return `$${usd.toFixed(2)}`;
}
