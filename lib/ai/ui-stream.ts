import 'server-only';
import { UI_MESSAGE_STREAM_HEADERS } from 'ai';
import type { Generation } from './generation';
import { SSE_HEADERS, sseResponse, type SseResponseOptions } from './sse-response';

const HEADERS = { ...UI_MESSAGE_STREAM_HEADERS, ...SSE_HEADERS };

type UiStreamOptions = Pick<SseResponseOptions, 'heartbeatMs' | 'after' | 'onReaderGone' | 'signal'>;

/**
 * Streams a generation to one HTTP client in the AI SDK v6 UI message stream protocol: each chunk
 * is one event, whose `id:` is its position in the reply (what a reconnecting reader sends back
 * as `Last-Event-ID`; AI SDK clients ignore it).
 */
export function uiMessageStreamResponse(generation: Generation, options: UiStreamOptions): Response {
  return sseResponse(generation, {
    ...options,
    encode: (chunk, position) => `id: ${position}\ndata: ${JSON.stringify(chunk)}\n\n`,
    headers: HEADERS,
  });
}
