import 'server-only';
import { UI_MESSAGE_STREAM_HEADERS, type UIMessageChunk } from 'ai';
import type { ChunkPosition, Generation } from './generation';
import { SSE_HEADERS, sseResponse, type SseResponseOptions } from './sse-response';

export const UI_STREAM_HEADERS = { ...UI_MESSAGE_STREAM_HEADERS, ...SSE_HEADERS };

/** One chunk as one event: its position in the reply as `id:` when it has one, the chunk as JSON. */
export const uiStreamEvent = (chunk: UIMessageChunk, position?: ChunkPosition): string =>
  `${position === undefined ? '' : `id: ${position}\n`}data: ${JSON.stringify(chunk)}\n\n`;

type UiStreamOptions = Pick<SseResponseOptions, 'heartbeatMs' | 'after' | 'onReaderGone' | 'signal'>;

/**
 * Streams a generation to one HTTP client in the AI SDK v6 UI message stream protocol: each chunk
 * is one event, whose `id:` is its position in the reply (what a reconnecting reader sends back
 * as `Last-Event-ID`; AI SDK clients ignore it).
 */
export function uiMessageStreamResponse(generation: Generation, options: UiStreamOptions): Response {
  return sseResponse(generation, {
    ...options,
    encode: uiStreamEvent,
    headers: UI_STREAM_HEADERS,
  });
}
