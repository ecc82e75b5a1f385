import type { FinishReason } from 'ai';

export interface PromptMessage {
  role: 'system' | 'user' | 'assistant';
  /** The text; attached documents' text is in it, before what the person wrote. */
  content: string;
  /** Images the message shows the model (user messages only). */
  images?: PromptImage[];
}

/** An image as the vendor APIs take it: its bytes, or (from /api/v1 callers) a URL the vendor fetches itself. */
export type PromptImage = { mediaType: string; data: Uint8Array } | { url: string };

export interface Prompt {
  model: string;
  messages: PromptMessage[];
  /** Sampling options a caller of the API may set; unset means the provider's defaults. */
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/**
 * Where a provider delivers what the upstream says. Push-based on purpose: it costs one call per
 * token on the hot path, where an async iterator would cost a promise per token.
 */
export interface ChunkSink {
  text(delta: string): void;
  /** The model's visible thinking (reasoning models; compatible servers' `reasoning_content`). */
  reasoning(delta: string): void;
  /** The provider's final counts, at the end of a complete reply. */
  usage(usage: TokenUsage): void;
  /** The provider's count of the prompt, known before the reply (Anthropic's message_start). */
  inputTokens(count: number): void;
  finish(reason: FinishReason): void;
}

/** An upstream that has answered and is ready to stream. */
export interface UpstreamStream {
  /**
   * Delivers every chunk to the sink. Resolves when the upstream ends or the signal given to
   * `open` aborts (a cancelled stream is not an error); rejects with a ChatError when it fails.
   */
  pipe(sink: ChunkSink): Promise<void>;
}

/** Whether a provider answers, and if not, why, in words fit for an operator. */
export type ProviderHealth = { ok: true } | { ok: false; reason: string };

export interface Provider {
  /** A cheap check that the upstream answers, bounded by `signal`. */
  health(signal: AbortSignal): Promise<ProviderHealth>;

  /**
   * Sends the prompt. Resolves once the upstream has accepted the request (HTTP headers received),
   * so failures known up front reject here, as ChatErrors, before the client sees any byte.
   * Aborting `signal` closes the upstream connection.
   */
  open(prompt: Prompt, signal: AbortSignal): Promise<UpstreamStream>;
}

/** Where a vendor's API is and how long to wait for its headers. */
export interface ProviderEndpoint {
  apiKey: string | undefined;
  /** Unset: the vendor's own API. */
  baseURL: string | undefined;
  /** Time allowed for the upstream's response headers. */
  timeoutMs: number;
}
