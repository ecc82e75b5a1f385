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
