import 'server-only';
import { UI_MESSAGE_STREAM_HEADERS } from 'ai';
import type { Generation } from './generation';
import { SSE_HEADERS, sseResponse } from './sse-response';

const HEADERS = { ...UI_MESSAGE_STREAM_HEADERS, ...SSE_HEADERS };

/** Streams a generation to one HTTP client in the AI SDK v6 UI message stream protocol: each chunk is one event. */
export function uiMessageStreamResponse(generation: Generation, options: { heartbeatMs: number }): Response {
  return sseResponse(generation, {
    heartbeatMs: options.heartbeatMs,
    encode: (chunk) => `data: ${JSON.stringify(chunk)}\n\n`,
    headers: HEADERS,
  });
}
