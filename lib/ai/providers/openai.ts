import 'server-only';
import OpenAI from 'openai';
import type { FinishReason } from 'ai';
import { ChatError } from '@/lib/errors';
import { sdkErrorToChatError } from './sdk-errors';
import type { ChunkSink, Prompt, PromptMessage, Provider, ProviderEndpoint, ProviderHealth, UpstreamStream } from './types';
import { parseEventData, pipeServerSentEvents } from './sse-pipe';
import { sdkClientOptions } from './upstream-fetch';

const FINISH_REASONS: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  content_filter: 'content-filter',
  tool_calls: 'tool-calls',
  function_call: 'tool-calls',
};

export interface OpenAIProviderOptions extends ProviderEndpoint {
  /** OpenAI's own API (or a proxy of it), or another server speaking its Chat Completions API. */
  flavor: 'openai' | 'compatible';
}

/**
 * OpenAI, or any server that speaks its Chat Completions API (Ollama, vLLM, LM Studio, OpenRouter).
 * The two differ only in base URL, an optional key, and the reasoning deltas some compatible
 * servers add (`reasoning_content`, `reasoning`), which OpenAI never sends; so one implementation.
 */
export function createOpenAIProvider(options: OpenAIProviderOptions): Provider {
  // Created on first use: `new OpenAI()` without a key throws, which would break `next build`.
  let client: OpenAI | undefined;
  const getClient = () =>
    (client ??= new OpenAI({
      // Local servers need no key, but the SDK refuses to start without one.
      apiKey: options.apiKey ?? 'not-needed',
      baseURL: options.baseURL,
      ...sdkClientOptions(options.timeoutMs),
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
          .chat.completions.create(completionRequest(prompt, options.flavor), { signal })
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

function completionRequest(prompt: Prompt, flavor: OpenAIProviderOptions['flavor']): OpenAI.ChatCompletionCreateParamsStreaming {
  return {
    model: prompt.model,
    messages: prompt.messages.map(toChatMessage),
    stream: true,
    stream_options: { include_usage: true },
    // OpenAI's reasoning models refuse `max_tokens`; compatible servers mostly know only it.
    ...(prompt.maxOutputTokens !== undefined &&
      (flavor === 'openai' ? { max_completion_tokens: prompt.maxOutputTokens } : { max_tokens: prompt.maxOutputTokens })),
    ...(prompt.temperature !== undefined && { temperature: prompt.temperature }),
    ...(prompt.topP !== undefined && { top_p: prompt.topP }),
    ...(prompt.stop !== undefined && { stop: prompt.stop }),
  };
}

/** A turn as Chat Completions takes it: text alone as a string, with images as content parts. */
function toChatMessage(message: PromptMessage): OpenAI.ChatCompletionMessageParam {
  if (message.role !== 'user' || !message.images?.length) return { role: message.role, content: message.content };
  const images = message.images.map((image): OpenAI.ChatCompletionContentPartImage => ({
    type: 'image_url',
    image_url: { url: 'url' in image ? image.url : `data:${image.mediaType};base64,${Buffer.from(image.data).toString('base64')}` },
  }));
  return { role: 'user', content: [...(message.content ? [{ type: 'text' as const, text: message.content }] : []), ...images] };
}

/** Relays Chat Completions chunks until `[DONE]`. */
function pipeCompletion(response: Response, sink: ChunkSink, signal: AbortSignal): Promise<void> {
  return pipeServerSentEvents(
    response,
    signal,
    ({ data }) => {
      if (data === '[DONE]') return 'done';
      relayChunk(parseChunk(data), sink);
      return 'more';
    },
    upstreamError,
  );
}

function parseChunk(data: string): OpenAI.ChatCompletionChunk {
  const parsed = parseEventData<OpenAI.ChatCompletionChunk & { error?: { message?: string } }>(data);
  // OpenAI reports failures after the headers as an `error` event.
  if (parsed.error) throw new ChatError('upstream_error', 'The model provider failed while answering. Please retry.');
  return parsed;
}

/** Compatible servers' untyped reasoning fields: vLLM and DeepSeek send the first, Ollama and OpenRouter the second. */
interface ReasoningDelta {
  reasoning_content?: string | null;
  reasoning?: string | null;
}

function relayChunk(chunk: OpenAI.ChatCompletionChunk, sink: ChunkSink): void {
  const choice = chunk.choices?.[0]; // absent on the final usage-only chunk
  const delta = choice?.delta as (OpenAI.ChatCompletionChunk.Choice.Delta & ReasoningDelta) | undefined;
  const reasoning = delta?.reasoning_content ?? delta?.reasoning;
  if (reasoning) sink.reasoning(reasoning);
  const content = delta?.content;
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

/** Maps the SDK's errors to what the person is told. */
export const upstreamError = (error: unknown) => sdkErrorToChatError(error, OpenAI, 'OPENAI_API_KEY');
