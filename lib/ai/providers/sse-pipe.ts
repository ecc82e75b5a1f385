import 'server-only';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { ChatError } from '@/lib/errors';
import type { Readable } from 'node:stream';
import { rawBody } from './upstream-fetch';

/** What an event handler tells the pipe: keep reading, or the stream is complete. */
export type EventOutcome = 'more' | 'done';

/**
 * Reads an upstream event stream with synchronous callbacks per network read: no promise per
 * token. Resolves when `onEvent` says the stream is complete, at the end of the body, or quietly
 * when the signal aborted; rejects with `toChatError(error)` when the body fails or `onEvent`
 * throws, after closing the upstream connection.
 */
export function pipeServerSentEvents(
  response: Response,
  signal: AbortSignal,
  onEvent: (event: EventSourceMessage) => EventOutcome,
  toChatError: (error: unknown) => ChatError,
): Promise<void> {
  const body = rawBody(response);
  if (!body) return Promise.reject(new ChatError('internal_error', 'The upstream response cannot be read.'));
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error?: unknown) => {
      if (settled) return;
      settled = true;
      if (error === undefined || signal.aborted) resolve();
      else {
        body.destroy(); // closes the upstream connection
        reject(toChatError(error));
      }
    };
    const parser = createParser({
      onEvent: (event) => {
        if (settled) return;
        try {
          if (onEvent(event) === 'done') {
            settle();
            closeIfLingering(body);
          }
        } catch (error) {
          settle(error);
        }
      },
    });
    body.setEncoding('utf8');
    body.on('data', (text: string) => parser.feed(text));
    // Some servers end without a closing event; a clean end is a finished stream.
    body.on('end', () => settle());
    body.on('error', (error) => settle(error));
    body.on('close', () => settle(new Error('The upstream connection closed early.')));
  });
}

/** How long a finished stream's connection may stay open for its last bytes before it is closed. */
const LINGER_MS = 1000;

/**
 * After the stream's end event the body normally ends too, and its connection is reused. A server
 * that keeps it open instead would hold a socket forever: it is closed after a moment.
 */
function closeIfLingering(body: Readable): void {
  if (body.readableEnded) return;
  body.resume();
  setTimeout(() => {
    if (!body.readableEnded) body.destroy();
  }, LINGER_MS).unref();
}

/** Parses one event's JSON; a provider that sends something else has failed, in words for the person. */
export function parseEventData<T>(data: string): T {
  try {
    return JSON.parse(data) as T;
  } catch {
    throw new ChatError('upstream_error', 'The model provider sent a response Runnel could not read.');
  }
}
