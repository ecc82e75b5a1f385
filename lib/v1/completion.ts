import 'server-only';
import type { FinishReason, UIMessageChunk } from 'ai';
import type { Generation } from '@/lib/ai/generation';
import type { TokenUsage } from '@/lib/ai/providers/types';
import { SSE_HEADERS, sseResponse } from '@/lib/ai/sse-response';
import { ChatError } from '@/lib/errors';
import { toOpenAIError } from './errors';

/** What every chunk and completion of one reply says about itself. */
export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
}

export const completionIdentity = (model: string): CompletionIdentity => ({
  id: `chatcmpl-${crypto.randomUUID().replaceAll('-', '')}`,
  created: Math.floor(Date.now() / 1000),
  model,
});

const FINISH_REASONS: Partial<Record<FinishReason, string>> = {
  length: 'length',
  'content-filter': 'content_filter',
  'tool-calls': 'tool_calls',
};
const finishReason = (reason: FinishReason) => FINISH_REASONS[reason] ?? 'stop';

const openAIUsage = (usage: TokenUsage) => ({
  prompt_tokens: usage.inputTokens,
  completion_tokens: usage.outputTokens,
  total_tokens: usage.totalTokens,
});

/**
 * The reply as OpenAI's `chat.completion.chunk` stream: a role chunk, content deltas (reasoning
 * as `reasoning_content`, as compatible servers send it), a finish chunk, the usage chunk when
 * `stream_options.include_usage` asked for it, then `[DONE]`. A failure after the first token is
 * OpenAI's `{"error": …}` event, which its SDKs raise as an APIError.
 */
export function completionStreamResponse(
  generation: Generation,
  options: { identity: CompletionIdentity; includeUsage: boolean; heartbeatMs: number },
): Response {
  const { id, created, model } = options.identity;
  const event = (data: object) => `data: ${JSON.stringify(data)}\n\n`;
  const chunk = (delta: object, finish: string | null = null) =>
    event({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  const encode = (c: UIMessageChunk): string => {
    switch (c.type) {
      case 'start':
        return chunk({ role: 'assistant', content: '' });
      case 'text-delta':
        return chunk({ content: c.delta });
      case 'reasoning-delta':
        return chunk({ reasoning_content: c.delta });
      case 'finish': {
        const usage = generation.usage;
        const usageChunk = options.includeUsage && usage ? event({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: openAIUsage(usage) }) : '';
        return chunk({}, finishReason(generation.finishReason)) + usageChunk;
      }
      case 'error':
        return event(toOpenAIError(generation.error ?? new ChatError('upstream_error', c.errorText)).body);
      default:
        return '';
    }
  };
  return sseResponse(generation, { heartbeatMs: options.heartbeatMs, encode, headers: SSE_HEADERS });
}

/** The whole reply as one `chat.completion`, once it has ended. */
export async function completionResponse(generation: Generation, identity: CompletionIdentity): Promise<Response> {
  await generation.ended;
  if (generation.status === 'error' || generation.status === 'interrupted') throw generation.error ?? new ChatError('upstream_error', 'The reply failed. Please retry.');
  const reasoning = generation.reasoningText();
  return Response.json(
    {
      ...identity,
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: generation.text, refusal: null, ...(reasoning && { reasoning_content: reasoning }) },
          logprobs: null,
          finish_reason: finishReason(generation.finishReason),
        },
      ],
      ...(generation.usage && { usage: openAIUsage(generation.usage) }),
    },
    { headers: { 'cache-control': 'no-store' } },
  );
}
