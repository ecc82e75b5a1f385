import 'server-only';
import type { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';

// One connection pool for every upstream request, kept alive between requests.
const pool = new Agent({ keepAliveTimeout: 30_000, connect: { timeout: 10_000 } });
const rawBodies = new WeakMap<Response, Readable>();

/**
 * The fetch provider SDKs use upstream, over undici's lower-level `request`.
 *
 * Why not the global fetch: under `next start` it is Next's caching wrapper, and its WHATWG body
 * stream costs promises per chunk, each also paying Next's async hooks; together they made most
 * of the server's CPU per relayed token. The SDK still builds the request, authenticates and maps
 * error statuses to typed errors; a successful streaming body is left unread in the Response and
 * handed to the relay as a Node stream by `rawBody`, to be read with synchronous callbacks.
 */
export async function upstreamFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : input);
  const { statusCode, headers, body } = await pool.request({
    origin: url.origin,
    path: url.pathname + url.search,
    method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
    headers: Object.fromEntries(new Headers(init.headers)),
    body: init.body as string | undefined,
    signal: init.signal ?? undefined,
  });
  const responseHeaders = toHeaders(headers);
  if (statusCode < 200 || statusCode >= 300 || statusCode === 204) {
    // Error bodies are small, and the SDK reads them to build its typed error.
    return new Response(statusCode === 204 ? null : await body.text(), { status: statusCode, headers: responseHeaders });
  }
  const response = new Response(lazyWebStream(body), { status: statusCode, headers: responseHeaders });
  rawBodies.set(response, body);
  return response;
}

/** The unread Node body of a successful response from `upstreamFetch`. */
export function rawBody(response: Response): Readable | undefined {
  return rawBodies.get(response);
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, item);
  }
  return headers;
}

/** A web stream over the Node body that reads nothing until someone reads it. */
function lazyWebStream(body: Readable): ReadableStream<Uint8Array> {
  let iterator: AsyncIterator<Buffer> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        iterator ??= body[Symbol.asyncIterator]();
        const { value, done } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(new Uint8Array(value));
      },
      cancel() {
        body.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * What both vendor SDK clients are built with: this fetch, and no retries. Retries delay the
 * first token and can wait out a long Retry-After; the person can press Retry, and a 429 is
 * passed on to them with its Retry-After instead.
 */
export const sdkClientOptions = (timeoutMs: number) => ({ fetch: upstreamFetch, maxRetries: 0, timeout: timeoutMs });
