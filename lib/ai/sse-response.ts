import 'server-only';
import type { UIMessageChunk } from 'ai';
import { trackResponse } from '@/lib/lifecycle/work';
import type { ChunkPosition, Generation } from './generation';

/** Headers every event stream needs to reach the client unbuffered. */
export const SSE_HEADERS: Record<string, string> = {
  'content-type': 'text/event-stream',
  connection: 'keep-alive',
  // `no-transform` stops `next start` (and proxies) from gzipping the stream, which costs CPU per
  // token and can buffer; `X-Accel-Buffering: no` tells nginx not to buffer.
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
};

const KEEP_ALIVE = ': keep-alive\n\n';
/** The last event of every stream. */
export const DONE = 'data: [DONE]\n\n';

/**
 * At most one write per stream per screen frame. Tokens further apart than this (a 50 tokens/s
 * stream) are written the moment they arrive; faster ones are written together, which no reader
 * can tell apart, and each write saved is a syscall here and a wake-up of the browser's main thread.
 */
export const MIN_WRITE_INTERVAL_MS = 16;

/**
 * What a reader may fall behind by, in characters of events not yet taken by its connection,
 * before it is dropped: a client that stops reading (a stalled network, a script that never
 * reads) would otherwise hold the whole encoded answer in memory. Dropping it counts as the
 * client leaving: the upstream is closed and the reply saved as stopped. Above the largest
 * single event a provider plausibly sends (a 1 MB delta is relayed whole).
 */
export const MAX_UNSENT_CHARS = 4 * 1024 * 1024;

export interface SseResponseOptions {
  heartbeatMs: number;
  /** The wire format: a chunk's events as SSE text ('' to send nothing for it). */
  encode(chunk: UIMessageChunk, position: ChunkPosition): string;
  headers: Record<string, string>;
  /** Sends what follows this position (a reconnecting reader's `Last-Event-ID`); all of it by default. */
  after?: ChunkPosition;
  /**
   * What the reader leaving (or falling too far behind) means; by default that the person left,
   * so the generation is cancelled. A resumable reply's reader only detaches.
   */
  onReaderGone?: () => void;
  /** The request: its end is the reader leaving, even before the body is read. */
  signal?: AbortSignal;
}

/**
 * Streams a generation to one HTTP client as server-sent events, in whichever wire format
 * `encode` writes, ending with `data: [DONE]`.
 *
 * Pull-based: chunks are encoded into a string as they come and handed over when the response
 * asks for more, at most once per MIN_WRITE_INTERVAL_MS, so a fast upstream is relayed in few
 * large writes instead of one write (and one socket flush) per token. The end of the reply is
 * written at once. The client leaving, or falling MAX_UNSENT_CHARS behind, cancels the generation
 * (or whatever `onReaderGone` says it means).
 */
export function sseResponse(generation: Generation, options: SseResponseOptions): Response {
  const encoder = new TextEncoder();
  let pending = '';
  let ended = false;
  let lastWriteAt = -Infinity;
  let quietSinceLastBeat = true;
  let wake: (() => void) | undefined;
  let throttle: ReturnType<typeof setTimeout> | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let unsubscribe = () => {};
  let untrack = () => {};
  let unwatch = () => {};
  let fail: (error: Error) => void = () => {};
  let gone = false;
  /** Once per response, however the reader went. */
  const readerGone = () => {
    if (gone) return;
    gone = true;
    cleanUp();
    (options.onReaderGone ?? (() => generation.abort()))();
  };

  const canWrite = () => ended || (pending !== '' && performance.now() - lastWriteAt >= MIN_WRITE_INTERVAL_MS);
  /** Wakes a waiting pull once a write is allowed, now or when the interval has passed. */
  const poke = () => {
    if (!wake || throttle !== undefined) return;
    if (canWrite()) {
      const resolve = wake;
      wake = undefined;
      return resolve();
    }
    if (pending === '') return;
    throttle = setTimeout(() => {
      throttle = undefined;
      poke();
    }, lastWriteAt + MIN_WRITE_INTERVAL_MS - performance.now());
  };
  const cleanUp = () => {
    clearInterval(heartbeat);
    clearTimeout(throttle);
    unsubscribe();
    untrack();
    unwatch();
  };

  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        untrack = trackResponse();
        fail = (error) => {
          if (gone) return;
          pending = '';
          readerGone();
          controller.error(error);
        };
        unsubscribe = generation.subscribe(
          {
            chunk(chunk, position) {
              const events = options.encode(chunk, position);
              if (!events) return;
              pending += events;
              quietSinceLastBeat = false;
              if (pending.length > MAX_UNSENT_CHARS) return fail(new Error('The reader fell too far behind.'));
              poke();
            },
            end() {
              pending += DONE;
              ended = true;
              clearTimeout(throttle);
              throttle = undefined;
              poke();
            },
          },
          options.after,
        );
        const left = () => fail(new Error('The client left.'));
        if (options.signal?.aborted) return left();
        options.signal?.addEventListener('abort', left, { once: true });
        unwatch = () => options.signal?.removeEventListener('abort', left);
        heartbeat = setInterval(() => {
          if (quietSinceLastBeat) {
            pending += KEEP_ALIVE;
            poke();
          }
          quietSinceLastBeat = true;
        }, options.heartbeatMs);
      },
      async pull(controller) {
        if (!canWrite()) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            poke();
          });
        }
        if (pending) {
          controller.enqueue(encoder.encode(pending));
          pending = '';
          lastWriteAt = performance.now();
        }
        if (ended) {
          // Read to the end: whatever the request's signal says from now on, the reader is not lost.
          gone = true;
          cleanUp();
          controller.close();
        }
      },
      cancel() {
        readerGone();
      },
    },
    { highWaterMark: 0 },
  );

  return new Response(body, { headers: options.headers });
}
