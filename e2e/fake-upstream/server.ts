import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseScenario, reasoningText, tokenText, withoutFailures, type Scenario } from './scenario';
import { anthropicWire, openAIError, openAIWire, type Wire } from './wire';

/** What the fake saw of one request, for tests to assert on. Times are epoch milliseconds. */
export interface RequestRecord {
  id: string;
  /** Which vendor's API was called. */
  api: 'openai' | 'anthropic';
  model: string;
  /** System instructions first (Anthropic's `system` included), then the turns, as plain text, with the images each carried. */
  messages: { role: string; content: string; images?: RecordedImage[] }[];
  maxTokens?: number;
  temperature?: number;
  receivedAt: number;
  headersAt?: number;
  tokensSent: number;
  /** How many requests carried this id so far (this one included): a resumed answer must be asked for once. */
  requests: number;
  /** The fake finished the response. */
  completedAt?: number;
  /** The client closed the connection before the response was complete. */
  disconnectedAt?: number;
}

/** An image a request carried: its type and size when sent inline, or the URL it named. */
export interface RecordedImage {
  mediaType?: string;
  bytes?: number;
  url?: string;
}

export interface FakeUpstream {
  url: string;
  port: number;
  records: Map<string, RequestRecord>;
  close(): Promise<void>;
}

const now = () => performance.timeOrigin + performance.now();

/**
 * A fake model provider: OpenAI's Chat Completions (`/v1/chat/completions`) and Anthropic's
 * Messages (`/v1/messages`), each in its real streaming wire format (wire.ts), misbehaving on
 * request (see scenario.ts). Its records are served over HTTP at /__fake/requests;
 * tests run it in a process of its own (process.ts) so its timestamps are its own.
 */
export async function startFakeUpstream(options: { port?: number; host?: string } = {}): Promise<FakeUpstream> {
  const records = new Map<string, RequestRecord>();
  const attempts = new Map<string, number>();
  let counter = 0;
  const server: Server = createServer((req, res) => {
    handle(req, res, records, attempts, () => `req-${++counter}`).catch((error: unknown) => {
      console.error('[fake-upstream]', error);
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

/** A content part in either vendor's shape: text, OpenAI's image_url, Anthropic's image. */
interface ContentPart {
  type: string;
  text?: string;
  image_url?: { url: string };
  source?: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };
}
type Content = string | ContentPart[];
const flatten = (content: Content) => (typeof content === 'string' ? content : content.map((part) => part.text ?? '').join(''));

function imagesOf(content: Content): RecordedImage[] {
  if (typeof content === 'string') return [];
  return content.flatMap((part): RecordedImage[] => {
    if (part.image_url) {
      const inline = /^data:([^;,]+);base64,(.*)$/.exec(part.image_url.url);
      return [inline ? { mediaType: inline[1], bytes: Buffer.from(inline[2]!, 'base64').length } : { url: part.image_url.url }];
    }
    if (part.source?.type === 'base64') return [{ mediaType: part.source.media_type, bytes: Buffer.from(part.source.data, 'base64').length }];
    if (part.source?.type === 'url') return [{ url: part.source.url }];
    return [];
  });
}

/** A chat request in either vendor's shape, as the fake needs it. */
interface ChatBody {
  model: string;
  messages: { role: string; content: Content }[];
  system?: Content;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  records: Map<string, RequestRecord>,
  attempts: Map<string, number>,
  nextId: () => string,
) {
  const url = new URL(req.url ?? '/', 'http://fake');
  const anthropic = req.headers['anthropic-version'] !== undefined || url.pathname === '/v1/messages';
  if (url.pathname.startsWith('/__fake/requests')) return serveRecords(req, res, url, records);
  if (url.pathname === '/v1/models') return json(res, 200, anthropic ? ANTHROPIC_MODELS : OPENAI_MODELS);
  const route = url.pathname === '/v1/messages' ? 'anthropic' : url.pathname === '/v1/chat/completions' ? 'openai' : undefined;
  if (!route || req.method !== 'POST') return json(res, 404, openAIError('Not found', 'invalid_request_error'));

  const body = JSON.parse(await readBody(req)) as ChatBody;
  const messages = [
    ...(body.system ? [{ role: 'system', content: flatten(body.system) }] : []),
    ...body.messages.map((m) => {
      const images = imagesOf(m.content);
      return { role: m.role, content: flatten(m.content), ...(images.length > 0 && { images }) };
    }),
  ];
  const lastUser = messages.findLast((m) => m.role === 'user')?.content ?? '';
  const parsed = parseScenario(lastUser);
  const retried = parsed.id !== undefined && records.has(parsed.id);
  const scenario = parsed.once && retried ? withoutFailures(parsed) : parsed;
  const record: RequestRecord = {
    id: scenario.id ?? nextId(),
    api: route,
    model: body.model,
    messages,
    maxTokens: body.max_tokens ?? body.max_completion_tokens,
    temperature: body.temperature,
    receivedAt: now(),
    tokensSent: 0,
    requests: (attempts.get(scenario.id ?? '') ?? 0) + 1,
  };
  records.set(record.id, record);
  const attempt = (attempts.get(record.id) ?? 0) + 1;
  attempts.set(record.id, attempt);
  res.on('close', () => {
    if (!res.writableFinished) record.disconnectedAt ??= now();
  });

  const wire = route === 'anthropic' ? anthropicWire(`msg_${record.id}`, body.model) : openAIWire(`chatcmpl-${record.id}`, body.model);
  if (scenario.hang === 'headers') return; // never answers
  if (scenario.reset) return req.socket.destroy();
  if (scenario.headerDelay) await sleep(scenario.headerDelay);
  if (scenario.status) return failWith(res, wire, scenario, record);
  if (!body.stream) return json(res, 400, openAIError('This fake only streams.', 'invalid_request_error'));
  // Anthropic always reports usage; OpenAI only when asked.
  const usage = scenario.usage && (route === 'anthropic' || body.stream_options?.include_usage === true);
  await stream(res, wire, scenario, record, usage, scenario.nth ? `r${attempt} ` : '');
}

const OPENAI_MODELS = { object: 'list', data: [{ id: 'fake-model', object: 'model', created: 0, owned_by: 'fake' }] };
const ANTHROPIC_MODELS = {
  data: [{ type: 'model', id: 'fake-claude', display_name: 'Fake Claude', created_at: '2025-01-01T00:00:00Z' }],
  has_more: false,
  first_id: 'fake-claude',
  last_id: 'fake-claude',
};

async function stream(res: ServerResponse, wire: Wire, scenario: Scenario, record: RequestRecord, includeUsage: boolean, prefix: string) {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': record.id });
  record.headersAt = now();
  if (scenario.hang === 0) return res.flushHeaders();
  let batch = wire.start();
  for (let i = 0; i < scenario.reasoning; i++) batch += wire.reasoning(reasoningText(i));
  if (prefix) batch += wire.text(prefix);
  flush();

  for (let i = 0; i < scenario.tokens; i++) {
    if (res.destroyed) return;
    if (scenario.hang === i && i > 0) return flush();
    if (scenario.drop === i) return (flush(), res.destroy());
    if (scenario.malformed === i) batch += wire.malformed();
    if (scenario.errorEvent === i) {
      batch += wire.errorEvent();
      flush();
      return res.end();
    }
    if (scenario.badBytes === i) {
      // A token whose JSON string holds bytes that are not UTF-8 (0xff, 0xfe, a lone 0xc3).
      flush();
      const [before, after] = wire.text('\u0000MARK').split('\\u0000MARK');
      if (!res.destroyed) res.write(Buffer.concat([Buffer.from(before!), Buffer.from([0xff, 0xfe, 0x41, 0xc3]), Buffer.from(after!)]));
    }
    batch += wire.text(tokenText(scenario, i));
    record.tokensSent++;
    if (scenario.delay > 0) {
      flush();
      await sleep(scenario.delay);
    }
  }
  if (scenario.hang === scenario.tokens) return flush();
  if (scenario.drop === scenario.tokens) return (flush(), res.destroy());
  batch += wire.end(includeUsage ? { input: 10, output: scenario.tokens } : undefined);
  flush();
  if (scenario.linger) return void (record.completedAt = now());
  res.end(() => (record.completedAt = now()));

  function flush() {
    if (batch && !res.destroyed) res.write(batch);
    batch = '';
  }
}

function failWith(res: ServerResponse, wire: Wire, scenario: Scenario, record: RequestRecord) {
  const status = scenario.status!;
  const headers: Record<string, string> = scenario.retryAfter ? { 'retry-after': scenario.retryAfter } : {};
  json(res, status, wire.errorBody(status), headers);
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
