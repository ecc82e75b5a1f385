import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseScenario, tokenText, withoutFailures, type Scenario } from './scenario';

/** What the fake saw of one request, for tests to assert on. Times are epoch milliseconds. */
export interface RequestRecord {
  id: string;
  model: string;
  messages: { role: string; content: string }[];
  receivedAt: number;
  headersAt?: number;
  tokensSent: number;
  /** The fake finished the response. */
  completedAt?: number;
  /** The client closed the connection before the response was complete. */
  disconnectedAt?: number;
}

export interface FakeOpenAI {
  url: string;
  port: number;
  records: Map<string, RequestRecord>;
  close(): Promise<void>;
}

const now = () => performance.timeOrigin + performance.now();

/**
 * An OpenAI-compatible server that speaks the real Chat Completions streaming wire format and
 * misbehaves on request (see scenario.ts). Its records are served over HTTP at /__fake/requests;
 * tests run it in a process of its own (process.ts) so its timestamps are its own.
 */
export async function startFakeOpenAI(options: { port?: number; host?: string } = {}): Promise<FakeOpenAI> {
  const records = new Map<string, RequestRecord>();
  const attempts = new Map<string, number>();
  let counter = 0;
  const server: Server = createServer((req, res) => {
    handle(req, res, records, attempts, () => `req-${++counter}`).catch((error: unknown) => {
      console.error('[fake-openai]', error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    records,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  records: Map<string, RequestRecord>,
  attempts: Map<string, number>,
  nextId: () => string,
) {
  const url = new URL(req.url ?? '/', 'http://fake');
  if (url.pathname.startsWith('/__fake/requests')) return serveRecords(req, res, url, records);
  if (url.pathname === '/v1/models') return json(res, 200, { object: 'list', data: [{ id: 'fake-model', object: 'model', created: 0, owned_by: 'fake' }] });
  if (url.pathname !== '/v1/chat/completions' || req.method !== 'POST') return json(res, 404, openAIError('Not found', 'invalid_request_error'));

  const body = JSON.parse(await readBody(req)) as {
    model: string;
    messages: { role: string; content: string }[];
    stream?: boolean;
    stream_options?: { include_usage?: boolean };
  };
  const lastUser = body.messages.findLast((m) => m.role === 'user')?.content ?? '';
  const parsed = parseScenario(lastUser);
  const retried = parsed.id !== undefined && records.has(parsed.id);
  const scenario = parsed.once && retried ? withoutFailures(parsed) : parsed;
  const record: RequestRecord = { id: scenario.id ?? nextId(), model: body.model, messages: body.messages, receivedAt: now(), tokensSent: 0 };
  records.set(record.id, record);
  const attempt = (attempts.get(record.id) ?? 0) + 1;
  attempts.set(record.id, attempt);
  res.on('close', () => {
    if (!res.writableFinished) record.disconnectedAt ??= now();
  });

  if (scenario.hang === 'headers') return; // never answers
  if (scenario.headerDelay) await sleep(scenario.headerDelay);
  if (scenario.status) return failWith(res, scenario, record);
  if (!body.stream) return json(res, 400, openAIError('This fake only streams.', 'invalid_request_error'));
  await stream(res, body.model, scenario, record, body.stream_options?.include_usage === true && scenario.usage, scenario.nth ? `r${attempt} ` : '');
}

async function stream(res: ServerResponse, model: string, scenario: Scenario, record: RequestRecord, includeUsage: boolean, prefix: string) {
  const id = `chatcmpl-${record.id}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: object, finish: string | null = null) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;

  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': record.id });
  record.headersAt = now();
  if (scenario.hang === 0) return res.flushHeaders();
  res.write(chunk({ role: 'assistant', content: '', refusal: null }));
  if (prefix) res.write(chunk({ content: prefix }));

  let batch = '';
  for (let i = 0; i < scenario.tokens; i++) {
    if (res.destroyed) return;
    if (scenario.hang === i && i > 0) return flush();
    if (scenario.drop === i) return (flush(), res.destroy());
    if (scenario.malformed === i) batch += 'data: {"id": "broken", "choices": [\n\n';
    if (scenario.errorEvent === i) {
      batch += `data: ${JSON.stringify(openAIError('The server had an error while processing your request.', 'server_error'))}\n\n`;
      flush();
      return res.end();
    }
    batch += chunk({ content: tokenText(scenario, i) });
    record.tokensSent++;
    if (scenario.delay > 0) {
      flush();
      await sleep(scenario.delay);
    }
  }
  if (scenario.hang === scenario.tokens) return flush();
  if (scenario.drop === scenario.tokens) return (flush(), res.destroy());
  batch += chunk({}, 'stop');
  if (includeUsage) {
    const prompt = 10;
    batch += `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: { prompt_tokens: prompt, completion_tokens: scenario.tokens, total_tokens: prompt + scenario.tokens } })}\n\n`;
  }
  batch += 'data: [DONE]\n\n';
  flush();
  res.end(() => (record.completedAt = now()));

  function flush() {
    if (batch && !res.destroyed) res.write(batch);
    batch = '';
  }
}

function failWith(res: ServerResponse, scenario: Scenario, record: RequestRecord) {
  const status = scenario.status!;
  const headers: Record<string, string> = scenario.retryAfter ? { 'retry-after': scenario.retryAfter } : {};
  const type = status === 401 ? 'invalid_request_error' : status === 429 ? 'rate_limit_exceeded' : 'server_error';
  const message = status === 401 ? 'Incorrect API key provided: sk-secret-123.' : `Fake failure with status ${status}.`;
  json(res, status, openAIError(message, type), headers);
  record.completedAt = now();
}

function serveRecords(req: IncomingMessage, res: ServerResponse, url: URL, records: Map<string, RequestRecord>) {
  const id = decodeURIComponent(url.pathname.slice('/__fake/requests/'.length));
  if (req.method === 'DELETE') {
    records.clear();
    return json(res, 204, null);
  }
  if (!id) return json(res, 200, [...records.values()]);
  const record = records.get(id);
  return record ? json(res, 200, record) : json(res, 404, { error: `no request ${id}` });
}

const openAIError = (message: string, type: string) => ({ error: { message, type, param: null, code: null } });

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (status === 204) return res.writeHead(204, headers).end();
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (data += chunk));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
