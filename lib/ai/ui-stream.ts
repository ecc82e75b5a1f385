import 'server-only';
import { UI_MESSAGE_STREAM_HEADERS } from 'ai';
import type { Generation } from './generation';

export const SSE_HEADERS: Record<string, string> = {
  ...UI_MESSAGE_STREAM_HEADERS,
  // `no-transform` stops `next start` (and proxies) from gzipping the stream, which costs CPU per
  // token and can buffer; `X-Accel-Buffering: no` tells nginx not to buffer.
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
};

const KEEP_ALIVE = ': keep-alive\n\n';
const DONE = 'data: [DONE]\n\n';

/**
 * Streams a generation to one HTTP client in the AI SDK v6 UI message stream protocol.
 *
 * Pull-based: chunks are encoded into a string as they come and handed over only when the
 * response asks for more, so a fast upstream is relayed in few large writes instead of one
 * write (and one socket flush) per token. The client leaving cancels the generation.
 */
export function uiMessageStreamResponse(generation: Generation, options: { heartbeatMs: number }): Response {
  const encoder = new TextEncoder();
  let pending = '';
  let ended = false;
  let quietSinceLastBeat = true;
  let wake: (() => void) | undefined;
  let unsubscribe = () => {};
  let heartbeat: ReturnType<typeof setInterval> | undefined;

  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const cleanUp = () => {
    clearInterval(heartbeat);
    unsubscribe();
  };

  const body = new ReadableStream<Uint8Array>(
    {
      start() {
        unsubscribe = generation.subscribe({
          chunk(chunk) {
            pending += `data: ${JSON.stringify(chunk)}\n\n`;
            quietSinceLastBeat = false;
            notify();
          },
          end() {
            pending += DONE;
            ended = true;
            notify();
          },
        });
        heartbeat = setInterval(() => {
          if (quietSinceLastBeat) {
            pending += KEEP_ALIVE;
            notify();
          }
          quietSinceLastBeat = true;
        }, options.heartbeatMs);
      },
      async pull(controller) {
        if (!pending && !ended) await new Promise<void>((resolve) => (wake = resolve));
        if (pending) {
          controller.enqueue(encoder.encode(pending));
          pending = '';
        }
        if (ended) {
          cleanUp();
          controller.close();
        }
      },
      cancel() {
        cleanUp();
        generation.abort();
      },
    },
    { highWaterMark: 0 },
  );

  return new Response(body, { headers: SSE_HEADERS });
}
