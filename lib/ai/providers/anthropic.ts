import 'server-only';
import Anthropic from '@anthropic-ai/sdk';
import type { FinishReason } from 'ai';
import { DEFAULT_ANTHROPIC_MAX_TOKENS } from '@/lib/config';
import { ChatError } from '@/lib/errors';
import { sdkErrorToChatError } from './sdk-errors';
import { parseEventData, pipeServerSentEvents } from './sse-pipe';
import type { ChunkSink, Prompt, PromptMessage, Provider, ProviderEndpoint, ProviderHealth, TokenUsage, UpstreamStream } from './types';
import { sdkClientOptions } from './upstream-fetch';

const STOP_REASONS: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool-calls',
  refusal: 'content-filter',
};

/** Anthropic's Messages API, streamed, through the official SDK. */
export function createAnthropicProvider(options: ProviderEndpoint): Provider {
  let client: Anthropic | undefined;
  const getClient = () =>
    (client ??= new Anthropic({ apiKey: options.apiKey, baseURL: options.baseURL, ...sdkClientOptions(options.timeoutMs) }));

  return {
    async health(signal: AbortSignal): Promise<ProviderHealth> {
      try {
        await getClient().models.list({ limit: 1 }, { signal, maxRetries: 0 });
        return { ok: true };
      } catch (error) {
        return { ok: false, reason: upstreamError(error).message };
      }
    },
    // As in openai.ts: the SDK sends the request and maps errors; the body is read with
    // synchronous callbacks per network read.
    async open(prompt: Prompt, signal: AbortSignal): Promise<UpstreamStream> {
      try {
        const response = await getClient().messages.create(messagesRequest(prompt), { signal }).asResponse();
        return { pipe: (sink) => pipeMessageEvents(response, sink, signal) };
      } catch (error) {
        throw upstreamError(error);
      }
    },
  };
}

/** Anthropic takes system instructions apart from the turns. */
function messagesRequest(prompt: Prompt): Anthropic.MessageCreateParamsStreaming {
  const system = prompt.messages.filter((m) => m.role === 'system').map((m) => m.content);
  const turns = prompt.messages.flatMap((m) => (m.role === 'system' ? [] : [toMessageParam({ ...m, role: m.role })]));
  return {
    model: prompt.model,
    max_tokens: prompt.maxOutputTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
    messages: turns,
    stream: true,
    ...(system.length > 0 && { system: system.join('\n\n') }),
    ...(prompt.temperature !== undefined && { temperature: prompt.temperature }),
    ...(prompt.topP !== undefined && { top_p: prompt.topP }),
    ...(prompt.stop !== undefined && { stop_sequences: prompt.stop }),
  };
}

/** A turn as the Messages API takes it: images first (as Anthropic advises), then the text. */
function toMessageParam(message: PromptMessage & { role: 'user' | 'assistant' }): Anthropic.MessageParam {
  if (!message.images?.length) return { role: message.role, content: message.content };
  const images = message.images.map(
    (image): Anthropic.ImageBlockParam => ({
      type: 'image',
      source: 'url' in image ? { type: 'url', url: image.url } : { type: 'base64', media_type: image.mediaType as ImageMediaType, data: Buffer.from(image.data).toString('base64') },
    }),
  );
  return { role: message.role, content: [...images, ...(message.content ? [{ type: 'text' as const, text: message.content }] : [])] };
}

/** The image types the Messages API names; attachments are only ever these (lib/attachments/limits.ts). */
type ImageMediaType = Anthropic.Base64ImageSource['media_type'];

type StreamEvent = Anthropic.RawMessageStreamEvent | { type: 'ping' } | { type: 'error'; error?: { type?: string; message?: string } };

/** Relays Messages events until `message_stop`; input tokens come first, output tokens last. */
function pipeMessageEvents(response: Response, sink: ChunkSink, signal: AbortSignal): Promise<void> {
  const usage: TokenUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
  return pipeServerSentEvents(
    response,
    signal,
    ({ data }) => {
      const event = parseEventData<StreamEvent>(data);
      switch (event.type) {
        case 'message_start':
          Object.assign(usage, countUsage(event.message.usage, usage));
          sink.inputTokens(usage.inputTokens);
          break;
        case 'content_block_delta':
          if (event.delta.type === 'text_delta') sink.text(event.delta.text);
          else if (event.delta.type === 'thinking_delta') sink.reasoning(event.delta.thinking);
          break;
        case 'message_delta':
          Object.assign(usage, countUsage(event.usage, usage));
          if (event.delta.stop_reason) sink.finish(STOP_REASONS[event.delta.stop_reason] ?? 'other');
          sink.usage({ ...usage });
          break;
        case 'message_stop':
          return 'done';
        case 'error':
          throw streamError(event.error?.type);
      }
      return 'more';
    },
    upstreamError,
  );
}

interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** Anthropic counts cached prompt tokens apart; all of them were sent, so all are input. Counts are cumulative. */
function countUsage(reported: AnthropicUsage, sofar: TokenUsage): TokenUsage {
  const input =
    reported.input_tokens == null
      ? sofar.inputTokens
      : reported.input_tokens + (reported.cache_creation_input_tokens ?? 0) + (reported.cache_read_input_tokens ?? 0);
  const output = reported.output_tokens ?? sofar.outputTokens;
  return { inputTokens: input, outputTokens: output, totalTokens: input + output };
}

function streamError(type: string | undefined): ChatError {
  if (type === 'overloaded_error') return new ChatError('upstream_unavailable', 'The model provider is overloaded. Please retry in a moment.');
  return new ChatError('upstream_error', 'The model provider failed while answering. Please retry.');
}

const upstreamError = (error: unknown) => sdkErrorToChatError(error, Anthropic, 'ANTHROPIC_API_KEY');
