import 'server-only';
import { generateId, type FinishReason, type UIMessageChunk } from 'ai';
import type { ReplyPart } from '@/lib/chat/message';
import type { ModelPrices } from '@/lib/config';
import { ChatError, SERVER_RESTART_MESSAGE, serverDraining } from '@/lib/errors';
import { costUsd } from '@/lib/usage/cost';
import type { ChunkSink, Prompt, Provider, TokenUsage, UpstreamStream } from './providers/types';

export type GenerationStatus = 'pending' | 'streaming' | 'done' | 'stopped' | 'error' | 'interrupted';
type EndStatus = Exclude<GenerationStatus, 'pending' | 'streaming'>;

/** What the person sees as the assistant message's metadata (deep-merged by AI SDK clients). */
export interface GenerationMetadata {
  model: string;
  modelLabel: string;
  usage?: TokenUsage & { costUsd?: number };
  timing?: { firstTokenMs?: number; durationMs: number };
}

/** One run of text or reasoning in the reply, in the order the model produced them. */
interface ContentPart {
  type: 'text' | 'reasoning';
  /** Its chunk type, made once: deltas are the hot path. */
  deltaType: 'text-delta' | 'reasoning-delta';
  id: string;
  text: string;
  /** The position of its start chunk; its text occupies the positions after it. */
  startAt: number;
  /** The position of its end chunk, once another part closed it (the last one is closed by a terminal chunk). */
  endAt?: number;
}

/**
 * Where a chunk stands in the reply, sent as its SSE `id:`. A reader that reconnects says the last
 * position it has and gets exactly what follows. Structural chunks advance it by one and deltas by
 * their length, so that any position inside a part's text is a plain offset into it: resuming
 * needs no log of the deltas as they were sent, only the parts' text.
 */
export type ChunkPosition = number;
/** The `start` chunk's position: a reader that has it has the message's id and model. */
export const START_POSITION: ChunkPosition = 1;

export interface GenerationListener {
  chunk(chunk: UIMessageChunk, position: ChunkPosition): void;
  end(): void;
}

export interface GenerationOptions {
  provider: Provider;
  prompt: Prompt;
  model: { id: string; label: string; prices?: ModelPrices };
  /** Time allowed from the request to the upstream's first event. */
  firstByteTimeoutMs: number;
  messageId?: string;
  /**
   * Runs once when the generation ends, however it ends: finished, stopped, failed, or failed
   * before its first event (when `start` rejects and no subscriber ever existed). Accounting
   * (usage records, limit slots, metrics) hangs here so that nothing can skip it.
   */
  onEnd?: (generation: Generation) => void;
  /** Runs as the generation is made, before the request is sent: for whoever may have to cut it short. */
  onStart?: (generation: Generation) => void;
}

/**
 * One assistant reply being generated: it owns the upstream request, its cancellation, the text
 * so far, usage and timings, and publishes the reply as UI message stream chunks. HTTP responses
 * (and, later, persistence) subscribe to it; none of them is welded into it.
 */
export class Generation {
  readonly messageId: string;
  readonly startedAt = performance.now();
  status: GenerationStatus = 'pending';
  /** The answer so far (all text parts; reasoning excluded). */
  text = '';
  /** Every character received so far, answer and reasoning: how much there is to save. */
  receivedLength = 0;
  private readonly parts: ContentPart[] = [];
  private openPart: ContentPart | undefined;
  usage: TokenUsage | undefined;
  /** The provider's prompt count, when it gave one before the end (a stopped reply keeps it). */
  reportedInputTokens: number | undefined;
  finishReason: FinishReason = 'other';
  error: ChatError | undefined;
  firstTokenAt: number | undefined;
  endedAt: number | undefined;
  /** The upstream accepted the request (answered with headers), so it may bill for it. */
  upstreamAccepted = false;

  private readonly controller = new AbortController();
  private readonly listeners = new Set<GenerationListener>();
  private readonly terminalChunks: { chunk: UIMessageChunk; at: ChunkPosition }[] = [];
  /** The position of the last chunk published. */
  position: ChunkPosition = START_POSITION;
  private timedOut = false;
  /** Cancelled by this server going away, not by the client. */
  private serverStopping = false;
  private markEnded!: () => void;
  /** Settles when the reply has ended, however it ended. */
  readonly ended = new Promise<void>((resolve) => (this.markEnded = resolve));

  private constructor(private readonly options: GenerationOptions) {
    this.messageId = options.messageId ?? generateId();
  }

  /**
   * Sends the prompt and resolves once the upstream's first event has arrived, so that every
   * failure before it rejects with a ChatError the route can answer with an HTTP status.
   */
  static async start(options: GenerationOptions, clientSignal?: AbortSignal): Promise<Generation> {
    const generation = new Generation(options);
    options.onStart?.(generation);
    await generation.run(clientSignal);
    return generation;
  }

  /** Cancels the upstream request at once. The reply ends as `stopped`. */
  abort(): void {
    this.controller.abort();
  }

  /**
   * Cancels the upstream request because this server is shutting down: the reply ends as
   * `interrupted`, and its readers get an error saying so after the text they have.
   */
  interrupt(): void {
    if (this.endedAt !== undefined) return;
    this.serverStopping = true;
    this.controller.abort();
  }

  /**
   * Replays what has been generated after position `after` (all of it by default), then delivers
   * new chunks as they come. Each part's text is replayed as one delta, positioned at its end.
   */
  subscribe(listener: GenerationListener, after: ChunkPosition = 0): () => void {
    if (after < START_POSITION) listener.chunk(this.startChunk(), START_POSITION);
    for (const part of this.parts) replayPart(part, after, listener);
    if (this.endedAt !== undefined) {
      for (const { chunk, at } of this.terminalChunks) if (at > after) listener.chunk(chunk, at);
      listener.end();
      return () => {};
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async run(clientSignal?: AbortSignal): Promise<void> {
    if (clientSignal?.aborted) this.abort();
    clientSignal?.addEventListener('abort', () => this.abort(), { once: true, signal: this.controller.signal });
    const deadline = setTimeout(() => {
      this.timedOut = true;
      this.abort();
    }, this.options.firstByteTimeoutMs);
    try {
      const upstream = await this.options.provider.open(this.options.prompt, this.controller.signal);
      this.upstreamAccepted = true;
      await this.pipeUntilFirstEvent(upstream);
    } catch (error) {
      const failure = this.failureBeforeFirstEvent(error);
      const status = this.serverStopping ? 'interrupted' : failure.code === 'request_cancelled' ? 'stopped' : 'error';
      this.end(status, failure);
      throw failure;
    } finally {
      clearTimeout(deadline);
    }
  }

  private failureBeforeFirstEvent(error: unknown): ChatError {
    if (this.timedOut) return new ChatError('upstream_timeout', 'The model provider did not start answering in time.');
    // Nothing was shown yet: a 503 the client (or the proxy) may retry on another instance.
    if (this.serverStopping) return serverDraining();
    if (this.controller.signal.aborted) return new ChatError('request_cancelled', 'The request was cancelled.');
    return asChatError(error);
  }

  /** Starts piping; returns when the first event arrives or the upstream ends, rejects if it fails first. */
  private pipeUntilFirstEvent(upstream: UpstreamStream): Promise<void> {
    return new Promise((resolveFirst, rejectFirst) => {
      let first = true;
      const onFirst = () => {
        if (!first) return;
        first = false;
        this.status = 'streaming';
        resolveFirst();
      };
      const sink: ChunkSink = {
        text: (delta) => {
          onFirst();
          this.append('text', delta);
        },
        reasoning: (delta) => {
          onFirst();
          this.append('reasoning', delta);
        },
        usage: (usage) => {
          onFirst();
          this.usage = usage;
        },
        // Not a first event: it comes with the headers, before any token.
        inputTokens: (count) => {
          this.reportedInputTokens = count;
        },
        finish: (reason) => {
          onFirst();
          this.finishReason = reason;
        },
      };
      upstream.pipe(sink).then(
        () => {
          // An aborted upstream ends quietly; before the first event that is a failure to report.
          if (first && this.controller.signal.aborted) return rejectFirst(new Error('aborted'));
          onFirst();
          if (this.serverStopping) this.end('interrupted', serverDraining(SERVER_RESTART_MESSAGE));
          else this.end(this.controller.signal.aborted ? 'stopped' : 'done');
        },
        (error: unknown) => {
          if (first) return rejectFirst(error);
          this.end('error', asChatError(error));
        },
      );
    });
  }

  /** Appends to the open part, or closes it and opens one of the other type. */
  private append(type: ContentPart['type'], delta: string): void {
    // An empty delta has no position of its own to resume from.
    if (delta === '') return;
    let part = this.openPart;
    if (part?.type !== type) part = this.openNewPart(type);
    part.text += delta;
    if (type === 'text') this.text += delta;
    this.receivedLength += delta.length;
    this.emit({ type: part.deltaType, id: part.id, delta }, delta.length);
  }

  private openNewPart(type: ContentPart['type']): ContentPart {
    this.firstTokenAt ??= performance.now();
    if (this.openPart) {
      this.emit({ type: `${this.openPart.type}-end`, id: this.openPart.id });
      this.openPart.endAt = this.position;
    }
    const id = generateId();
    this.emit({ type: `${type}-start`, id });
    const part: ContentPart = { type, deltaType: `${type}-delta`, id, text: '', startAt: this.position };
    this.parts.push(part);
    this.openPart = part;
    return part;
  }

  /** The reply's parts so far, as stored and shown. */
  contentParts(): ReplyPart[] {
    return this.parts.map((part) => ({ type: part.type, text: part.text, state: 'done' }));
  }

  /** The reasoning so far (all reasoning parts). */
  reasoningText(): string {
    return this.parts.filter((part) => part.type === 'reasoning').map((part) => part.text).join('');
  }

  private end(status: EndStatus, error?: ChatError): void {
    if (this.endedAt !== undefined) return;
    this.endedAt = performance.now();
    this.status = status;
    this.error = error;
    if (this.openPart) this.terminal({ type: `${this.openPart.type}-end`, id: this.openPart.id });
    if (status === 'error' || status === 'interrupted') this.terminal({ type: 'error', errorText: error?.message ?? 'The reply failed.' });
    else if (status === 'stopped') this.terminal({ type: 'abort', reason: 'stopped' });
    else this.terminal({ type: 'finish', finishReason: this.finishReason, messageMetadata: this.finalMetadata() });
    for (const listener of this.listeners) listener.end();
    this.listeners.clear();
    try {
      this.options.onEnd?.(this);
    } catch (error) {
      console.error('[runnel] accounting a generation failed', error);
    }
    this.markEnded();
  }

  get model(): GenerationOptions['model'] {
    return this.options.model;
  }

  get prompt(): Prompt {
    return this.options.prompt;
  }

  private terminal(chunk: UIMessageChunk): void {
    this.emit(chunk);
    this.terminalChunks.push({ chunk, at: this.position });
  }

  /** Publishes a chunk that takes `length` positions (a delta's length; 1 for the others). */
  private emit(chunk: UIMessageChunk, length = 1): void {
    this.position += length;
    for (const listener of this.listeners) listener.chunk(chunk, this.position);
  }

  private startChunk(): UIMessageChunk {
    const metadata: GenerationMetadata = { model: this.options.model.id, modelLabel: this.options.model.label };
    return { type: 'start', messageId: this.messageId, messageMetadata: metadata };
  }

  /** Time to first token and duration so far, in milliseconds. */
  timing(): { firstTokenMs: number | undefined; durationMs: number } {
    const end = this.endedAt ?? performance.now();
    return {
      firstTokenMs: this.firstTokenAt === undefined ? undefined : round(this.firstTokenAt - this.startedAt),
      durationMs: round(end - this.startedAt),
    };
  }

  private finalMetadata(): Partial<GenerationMetadata> {
    const usage = this.usage && { ...this.usage, costUsd: costUsd(this.usage, this.options.model.prices) };
    return { usage, timing: this.timing() };
  }
}

/** A part's chunks that stand after `after`: its start, the rest of its text as one delta, its end. */
function replayPart(part: ContentPart, after: ChunkPosition, listener: GenerationListener): void {
  if (part.startAt > after) listener.chunk({ type: `${part.type}-start`, id: part.id }, part.startAt);
  const textEnd = part.startAt + part.text.length;
  if (textEnd > after && part.text !== '') {
    const delta = part.text.slice(Math.max(0, after - part.startAt));
    listener.chunk({ type: part.deltaType, id: part.id, delta }, textEnd);
  }
  if (part.endAt !== undefined && part.endAt > after) listener.chunk({ type: `${part.type}-end`, id: part.id }, part.endAt);
}

const round = (ms: number) => Math.round(ms * 10) / 10;

function asChatError(error: unknown): ChatError {
  if (error instanceof ChatError) return error;
  console.error('[runnel] generation failed', error);
  return new ChatError('upstream_error', 'The reply failed. Please retry.');
}
