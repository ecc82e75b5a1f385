import 'server-only';
import OpenAI from 'openai';
import type { FinishReason } from 'ai';
import { ChatError } from '@/lib/errors';
import type { ChunkSink, Prompt, Provider, UpstreamStream } from './types';

const FINISH_REASONS: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  content_filter: 'content-filter',
  tool_calls: 'tool-calls',
  function_call: 'tool-calls',
};

export interface OpenAIProviderOptions {
  apiKey: string | undefined;
  baseURL: string | undefined;
  /** Time allowed for the upstream's response headers. */
  timeoutMs: number;
}

/** OpenAI, or any server that speaks its Chat Completions API (Ollama, vLLM, LM Studio, OpenRouter). */
export function createOpenAIProvider(options: OpenAIProviderOptions): Provider {
  // Created on first use: `new OpenAI()` without a key throws, which would break `next build`.
  let client: OpenAI | undefined;
  const getClient = () =>
    (client ??= new OpenAI({
      // Local servers need no key, but the SDK refuses to start without one.
      apiKey: options.apiKey ?? 'not-needed',
      baseURL: options.baseURL,
      // Retries delay the first token and can wait out a long Retry-After; the person can press
      // Retry, and a 429 is passed on to them with its Retry-After instead.
      maxRetries: 0,
      timeout: options.timeoutMs,
    }));

  return {
    async open(prompt: Prompt, signal: AbortSignal): Promise<UpstreamStream> {
      const send = () =>
        getClient().chat.completions.create(
          { model: prompt.model, messages: prompt.messages, stream: true, stream_options: { include_usage: true } },
          { signal },
        );
      try {
        const stream = await send().catch((error: unknown) => {
          // One immediate retry for a dropped connection (e.g. a pooled socket the server had closed).
          if (isConnectionDrop(error) && !signal.aborted) return send();
          throw error;
        });
        return { pipe: (sink) => pipeCompletion(stream, sink) };
      } catch (error) {
        throw upstreamError(error);
      }
    },
  };
}

async function pipeCompletion(stream: AsyncIterable<OpenAI.ChatCompletionChunk>, sink: ChunkSink): Promise<void> {
  try {
    // On abort the SDK ends this loop silently, closing the connection.
    for await (const chunk of stream) {
      const choice = chunk.choices[0]; // absent on the final usage-only chunk
      const content = choice?.delta?.content;
      if (content) sink.text(content);
      if (choice?.finish_reason) sink.finish(FINISH_REASONS[choice.finish_reason] ?? 'other');
      if (chunk.usage) {
        sink.usage({
          inputTokens: chunk.usage.prompt_tokens,
          outputTokens: chunk.usage.completion_tokens,
          totalTokens: chunk.usage.total_tokens,
        });
      }
    }
  } catch (error) {
    throw upstreamError(error);
  }
}

const isConnectionDrop = (error: unknown) =>
  error instanceof OpenAI.APIConnectionError && !(error instanceof OpenAI.APIConnectionTimeoutError);

/** Maps the SDK's errors to what the person is told; upstream bodies never reach them verbatim. */
export function upstreamError(error: unknown): ChatError {
  if (error instanceof ChatError) return error;
  // Must come first: APIUserAbortError is also an APIError.
  if (error instanceof OpenAI.APIUserAbortError) return new ChatError('upstream_error', 'The request was cancelled.', { cause: error });
  if (error instanceof OpenAI.APIConnectionTimeoutError)
    return new ChatError('upstream_timeout', 'The model provider did not answer in time.', { cause: error });
  if (error instanceof OpenAI.APIConnectionError)
    return new ChatError('upstream_unavailable', 'The model provider cannot be reached.', { cause: error });
  if (error instanceof OpenAI.RateLimitError)
    return new ChatError('rate_limited', 'The model provider is rate limiting requests. Please wait and retry.', {
      retryAfter: error.headers?.get('retry-after') ?? undefined,
      cause: error,
    });
  if (error instanceof OpenAI.AuthenticationError || error instanceof OpenAI.PermissionDeniedError)
    return new ChatError('upstream_auth', 'The model provider rejected the API key. Check OPENAI_API_KEY.', { cause: error });
  if (error instanceof OpenAI.APIError && error.status !== undefined && error.status < 500)
    return new ChatError('upstream_bad_request', `The model provider rejected the request (HTTP ${error.status}).`, { cause: error });
  if (error instanceof OpenAI.APIError)
    return new ChatError('upstream_error', 'The model provider failed while answering. Please retry.', { cause: error });
  return new ChatError('upstream_error', 'The model provider sent a response Runnel could not read.', { cause: error });
}
