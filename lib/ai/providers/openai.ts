import 'server-only';
import { createParser } from 'eventsource-parser';
import OpenAI from 'openai';
import type { FinishReason } from 'ai';
import { ChatError } from '@/lib/errors';
import type { ChunkSink, Prompt, Provider, ProviderHealth, UpstreamStream } from './types';
import { rawBody, upstreamFetch } from './upstream-fetch';

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
      fetch: upstreamFetch,
      // Retries delay the first token and can wait out a long Retry-After; the person can press
      // Retry, and a 429 is passed on to them with its Retry-After instead.
      maxRetries: 0,
      timeout: options.timeoutMs,
    }));

  return {
    async health(signal: AbortSignal): Promise<ProviderHealth> {
      try {
        // Listing models costs no tokens, and every compatible server answers it.
        await getClient().models.list({ signal, maxRetries: 0 });
        return { ok: true };
      } catch (error) {
        return { ok: false, reason: upstreamError(error).message };
      }
    },
    async open(prompt: Prompt, signal: AbortSignal): Promise<UpstreamStream> {
      // The SDK sends the request and turns error statuses into typed errors; the body is read
      // below with a synchronous parser per network read instead of the SDK's per-chunk async
      // iterator, whose promises (each also paying Next's async hooks) dominated CPU per token.
      const send = () =>
        getClient()
          .chat.completions.create(
            { model: prompt.model, messages: prompt.messages, stream: true, stream_options: { include_usage: true } },
            { signal },
          )
          .asResponse();
      try {
        const response = await send().catch((error: unknown) => {
          // One immediate retry for a dropped connection (e.g. a pooled socket the server had closed).
          if (isConnectionDrop(error) && !signal.aborted) return send();
          throw error;
        });
        return { pipe: (sink) => pipeCompletion(response, sink, signal) };
      } catch (error) {
        throw upstreamError(error);
      }
    },
  };
}

/**
 * Relays the event stream with synchronous callbacks per network read: no promise per token.
 * Resolves at `[DONE]` or the end of the body, or quietly when the signal aborted.
 */
function pipeCompletion(response: Response, sink: ChunkSink, signal: AbortSignal): Promise<void> {
  const body = rawBody(response);
  if (!body) return Promise.reject(new ChatError('internal_error', 'The upstream response cannot be read.'));
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error?: unknown) => {
      if (settled) return;
      settled = true;
      if (error === undefined || signal.aborted) resolve();
      else {
        body.destroy(); // closes the upstream connection
        reject(upstreamError(error));
      }
    };
    const parser = createParser({
      onEvent: ({ data }) => {
        if (settled) return;
        if (data === '[DONE]') return settle();
        try {
          relayChunk(parseChunk(data), sink);
        } catch (error) {
          settle(error);
        }
      },
    });
    body.setEncoding('utf8');
    body.on('data', (text: string) => parser.feed(text));
    // Some compatible servers end without `[DONE]`; a clean end is a finished stream.
    body.on('end', () => settle());
    body.on('error', (error) => settle(error));
    body.on('close', () => settle(new Error('The upstream connection closed early.')));
  });
}

function parseChunk(data: string): OpenAI.ChatCompletionChunk {
  let parsed: OpenAI.ChatCompletionChunk & { error?: { message?: string } };
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new ChatError('upstream_error', 'The model provider sent a response Runnel could not read.');
  }
  // OpenAI reports failures after the headers as an `error` event.
  if (parsed.error) throw new ChatError('upstream_error', 'The model provider failed while answering. Please retry.');
  return parsed;
}

function relayChunk(chunk: OpenAI.ChatCompletionChunk, sink: ChunkSink): void {
  const choice = chunk.choices?.[0]; // absent on the final usage-only chunk
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
