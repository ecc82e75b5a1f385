import type { UIMessageChunk } from 'ai';
import { readUIMessageChunks } from '@/lib/sse/reader';

export const randomId = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

/** The JSON body the AI SDK's DefaultChatTransport sends for one user message, in a new conversation. */
export function chatBody(text: string, extra: Record<string, unknown> = {}) {
  return {
    id: randomId('chat'),
    messages: [{ id: randomId('u'), role: 'user', parts: [{ type: 'text', text }] }],
    trigger: 'submit-message',
    ...extra,
  };
}

export function chatRequest(body: unknown, init: { signal?: AbortSignal; headers?: Record<string, string> } = {}) {
  return new Request('http://127.0.0.1/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: init.signal,
  });
}

export interface ReadStream {
  chunks: UIMessageChunk[];
  text: string;
  /** Set when the stream broke off without a terminal chunk. */
  failure?: Error;
}

export async function readChunks(response: Response): Promise<ReadStream> {
  const result: ReadStream = { chunks: [], text: '' };
  try {
    for await (const batch of readUIMessageChunks(response.body!)) {
      for (const chunk of batch.chunks) {
        result.chunks.push(chunk);
        if (chunk.type === 'text-delta') result.text += chunk.delta;
      }
    }
  } catch (error) {
    result.failure = error as Error;
  }
  return result;
}

/**
 * Reads `reads` chunks, then leaves as a browser does (the request's signal aborts and the body
 * is cancelled). Returns when it left, in epoch milliseconds, as the fake upstream records times.
 */
export async function leaveMidStream(response: Response, controller: AbortController, reads = 2): Promise<number> {
  const reader = response.body!.getReader();
  for (let i = 0; i < reads; i++) await reader.read();
  const leftAt = performance.timeOrigin + performance.now();
  controller.abort();
  void reader.cancel();
  return leftAt;
}

/**
 * Waits for earlier tests' replies to finish saving (their final writes run on this same event
 * loop), so that a timing assertion measures only its own test's path.
 */
export const letEarlierRepliesSettle = () => new Promise((resolve) => setTimeout(resolve, 150));

/** A resumable reader's state: the chunks it applied and the last event id it has. */
export interface ResumeState {
  chunks: UIMessageChunk[];
  lastEventId: string | undefined;
  /** Whether a terminal chunk (finish, error, abort) arrived. */
  ended: boolean;
}

export const newResumeState = (): ResumeState => ({ chunks: [], lastEventId: undefined, ended: false });

/** Reads `response` into `state`, leaving (cancelling the body) after `batches` reads if given. */
export async function readInto(response: Response, state: ResumeState, batches = Infinity): Promise<void> {
  let read = 0;
  try {
    for await (const batch of readUIMessageChunks(response.body!)) {
      state.chunks.push(...batch.chunks);
      state.lastEventId = batch.lastEventId;
      state.ended ||= batch.chunks.some((chunk) => chunk.type === 'finish' || chunk.type === 'error' || chunk.type === 'abort');
      if (++read >= batches) return;
    }
  } catch {
    // A cut connection: what was read is kept, as a browser would.
  }
}

/** The text the chunks build, as a client rebuilds it (a `start` chunk begins the message again). */
export function rebuiltText(chunks: UIMessageChunk[]): string {
  let text = '';
  for (const chunk of chunks) {
    if (chunk.type === 'start') text = '';
    if (chunk.type === 'text-delta') text += chunk.delta;
  }
  return text;
}

/** The request a reconnecting reader sends: GET /api/chat/[id]/stream with its cookie and last event id. */
export function resumeRequest(conversationId: string, cookie: string, options: { lastEventId?: string; messageId?: string; signal?: AbortSignal } = {}) {
  const url = new URL(`http://127.0.0.1/api/chat/${encodeURIComponent(conversationId)}/stream`);
  if (options.messageId) url.searchParams.set('message', options.messageId);
  const headers: Record<string, string> = { cookie };
  if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
  return new Request(url, { headers, signal: options.signal });
}

/** The identity cookie a response set, as a request sends it back. */
export const cookieOf = (response: Response) => response.headers.get('set-cookie')?.split(';')[0] ?? '';

/** How many times a cancellation is measured; its median is what must be within the bound. */
export const LATENCY_RUNS = 3;

/**
 * A cancellation's latency, measured LATENCY_RUNS times on fresh streams (`measure` gets the run's
 * number for its fake id): the median. These machines are shared, and one sample can be late by a
 * pause of either process; a cancellation that is broken or slow is late every time.
 */
export async function medianLatency(measure: (run: number) => Promise<number>): Promise<number> {
  const samples: number[] = [];
  for (let run = 0; run < LATENCY_RUNS; run++) {
    await letEarlierRepliesSettle();
    samples.push(await measure(run));
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}
