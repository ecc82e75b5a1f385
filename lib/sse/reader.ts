import { createParser } from 'eventsource-parser';
import type { UIMessageChunk } from 'ai';

/**
 * Server-Sent Events over fetch, correct whatever the chunk boundaries: the decoder keeps a
 * multi-byte character split across reads, and eventsource-parser keeps a line or event split
 * anywhere, LF / CRLF / CR endings, multi-line `data:` and comments. Runs in the browser and in Node.
 *
 * Yields, per network read, the `data` of every event that read completed, so a consumer can
 * apply a burst of events at once, and the last event id seen so far. An event cut off by the
 * connection's end is never yielded. Stopping the iteration cancels the body.
 */
export async function* readSseData(body: ReadableStream<Uint8Array>): AsyncGenerator<SseBatch, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let completed: string[] = [];
  let lastEventId: string | undefined;
  const parser = createParser({
    onEvent: (event) => {
      completed.push(event.data);
      if (event.id !== undefined) lastEventId = event.id;
    },
  });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      parser.feed(done ? decoder.decode() : decoder.decode(value, { stream: true }));
      if (completed.length > 0) {
        yield { data: completed, lastEventId };
        completed = [];
      }
      if (done) return;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

export interface SseBatch {
  data: string[];
  /** The `id:` of the last event that had one, in this batch or before it. */
  lastEventId: string | undefined;
}

export interface UIMessageChunkBatch {
  chunks: UIMessageChunk[];
  /** What to send as `Last-Event-ID` to resume after these chunks. */
  lastEventId: string | undefined;
}

export class StreamEndedError extends Error {
  constructor() {
    super('Connection lost before the reply finished.');
    this.name = 'StreamEndedError';
  }
}

export class MalformedEventError extends Error {
  constructor() {
    super('The server sent an event that is not valid JSON.');
    this.name = 'MalformedEventError';
  }
}

const TERMINAL = new Set<UIMessageChunk['type']>(['finish', 'error', 'abort']);

/**
 * AI SDK v6 UI message stream chunks, in per-read batches. Ends at `[DONE]`; throws
 * StreamEndedError when the body ends before a `finish`, `error` or `abort` chunk.
 */
export async function* readUIMessageChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<UIMessageChunkBatch, void, undefined> {
  let sawTerminal = false;
  for await (const { data, lastEventId } of readSseData(body)) {
    const done = data.indexOf('[DONE]');
    const chunks = (done === -1 ? data : data.slice(0, done)).map(parseChunk);
    sawTerminal ||= chunks.some((chunk) => TERMINAL.has(chunk.type));
    if (chunks.length > 0) yield { chunks, lastEventId };
    if (done !== -1) break;
  }
  if (!sawTerminal) throw new StreamEndedError();
}

function parseChunk(data: string): UIMessageChunk {
  try {
    return JSON.parse(data) as UIMessageChunk;
  } catch {
    throw new MalformedEventError();
  }
}
