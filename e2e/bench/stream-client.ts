import { Agent, request } from 'node:http';

/** One stream as the bench client saw it. Times are milliseconds from the request's start. */
export interface StreamResult {
  ok: boolean;
  status: number;
  tokens: number;
  firstTokenMs: number;
  endMs: number;
  /** Gap before each token; tokens that arrived in the same read have a gap of 0. */
  gaps: number[];
  /** The response's Server-Timing header, if it sent one. */
  serverTiming?: string;
  error?: string;
}

export interface Target {
  name: string;
  port: number;
  path: string;
  body(prompt: string): string;
  /** Sent with every request besides the content headers. */
  headers?: Record<string, string>;
  /** How many tokens a piece of the response body holds. */
  countTokens(text: string): number;
}

/** The fake's tokens are `w0 `, `w1 `, …: count them in the text, however they were batched. */
const countWords = (text: string) => text.match(/w\d+ /g)?.length ?? 0;

export const direct = (port: number): Target => ({
  name: 'direct to upstream',
  port,
  path: '/v1/chat/completions',
  body: (prompt) => JSON.stringify({ model: 'fake-model', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: prompt }] }),
  countTokens: countWords,
});

let conversations = 0;

let requests = 0;

/** Runnel's chat route; `resumable`: as Runnel's own hook asks, opted in to resume (X-Runnel-Request-Id). */
export const runnel = (port: number, options: { resumable?: boolean } = {}): Target => ({
  name: options.resumable ? 'Runnel /api/chat, resumable' : 'Runnel /api/chat',
  port,
  path: '/api/chat',
  get headers() {
    return options.resumable ? { 'x-runnel-request-id': `bench-${process.pid}-${++requests}` } : undefined;
  },
  // A new conversation per request, as a new chat in a browser would be.
  body: (prompt) =>
    JSON.stringify({ id: `bench-${++conversations}-${process.pid}`, trigger: 'submit-message', messages: [{ id: 'u', role: 'user', parts: [{ type: 'text', text: prompt }] }] }),
  countTokens: countWords,
});

let agent = new Agent({ keepAlive: true, maxSockets: Infinity });

/**
 * Starts the next scenario on fresh connections. Reusing a kept-alive socket the server is just
 * closing (Node's default 5 s keep-alive timeout under `next start`) fails with ECONNRESET: a
 * race of HTTP/1.1 keep-alive that browsers retry and this client would count as a failure.
 */
export function resetConnections(): void {
  agent.destroy();
  agent = new Agent({ keepAlive: true, maxSockets: Infinity });
}

/** Streams one reply with plain node:http and cheap string scanning, so the client costs little. */
export function stream(target: Target, prompt: string, timeoutMs = 60_000): Promise<StreamResult> {
  const body = target.body(prompt);
  const start = performance.now();
  const result: StreamResult = { ok: false, status: 0, tokens: 0, firstTokenMs: NaN, endMs: NaN, gaps: [] };
  return new Promise((resolve) => {
    let last = 0;
    let tail = '';
    const finish = (error?: string) => {
      result.endMs = performance.now() - start;
      result.error = error;
      result.ok = !error && result.status === 200;
      resolve(result);
    };
    const req = request(
      { host: '127.0.0.1', port: target.port, path: target.path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip', 'content-length': Buffer.byteLength(body), ...target.headers } },
      (res) => {
        result.status = res.statusCode ?? 0;
        result.serverTiming = [res.headers['server-timing'] ?? []].flat().join(', ');
        res.setEncoding('utf8');
        res.on('data', (piece: string) => {
          const now = performance.now() - start;
          // A token's marker may straddle two reads: scan the end of the previous one too.
          const text = tail + piece;
          const tokens = target.countTokens(text) - target.countTokens(tail);
          tail = piece.slice(-40);
          if (tokens === 0) return;
          if (result.tokens === 0) result.firstTokenMs = now;
          else result.gaps.push(now - last);
          for (let i = 1; i < tokens; i++) result.gaps.push(0);
          result.tokens += tokens;
          last = now;
        });
        res.on('end', () => finish());
        res.on('error', (error) => finish(error.message));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', (error) => finish(error.message));
    req.end(body);
  });
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Milliseconds until a GET's whole answer has arrived (any status). */
export function plainRequest(port: number, path: string): Promise<number> {
  const start = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(performance.now() - start));
    });
    req.on('error', () => resolve(NaN));
    req.end();
  });
}
