import 'server-only';
import type { PromptMessage, TokenUsage } from '@/lib/ai/providers/types';

// OpenAI's chat format wraps each message in a few tokens, and primes the reply with a few more.
const TOKENS_PER_MESSAGE = 4;
const TOKENS_PER_REPLY = 3;
// OpenAI's price of a 1024×1024 image in high detail (85 + 4 tiles × 170): a middle-of-the-road guess.
const TOKENS_PER_IMAGE = 765;

/**
 * Token counts for a request the provider reported nothing (or only the prompt's count) for (a stopped or cut stream, a server
 * without usage reporting), with o200k_base, the tokenizer of OpenAI's current models. For other
 * vendors' models it is an estimate, and is stored flagged as one.
 */
export async function estimateUsage(prompt: PromptMessage[], output: string, knownInputTokens?: number): Promise<TokenUsage> {
  // Loaded on first use: its tables take tens of megabytes, and most replies report their usage.
  const { countTokens } = await import('gpt-tokenizer');
  let inputTokens = knownInputTokens ?? TOKENS_PER_REPLY;
  if (knownInputTokens === undefined) for (const message of prompt) inputTokens += TOKENS_PER_MESSAGE + countTokens(message.content) + TOKENS_PER_IMAGE * (message.images?.length ?? 0);
  const outputTokens = output ? countTokens(output) : 0;
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
}
