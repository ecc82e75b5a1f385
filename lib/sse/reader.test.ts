import { describe, expect, test } from 'vitest';
import { readSseData, readUIMessageChunks, StreamEndedError } from './reader';

const encoder = new TextEncoder();

/** A body that delivers `bytes` in pieces cut at the given offsets. */
function bodyFrom(bytes: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const points = [0, ...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length];
  const pieces = points.slice(1).map((end, i) => bytes.slice(points[i], end));
  return new ReadableStream({
    pull(controller) {
      const next = pieces.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

async function collect(body: ReadableStream<Uint8Array>) {
  const chunks = [];
  for await (const batch of readUIMessageChunks(body)) chunks.push(...batch.chunks);
  return chunks;
}

// A recorded stream in the UI message protocol, with text that has multi-byte characters (emoji,
// CJK, a ZWJ sequence), an SSE comment, multi-line data, CRLF and lone-CR line endings.
const DELTAS = ['Hello, ', '世界', ' 😀👩‍💻', ' ünï𝒳', '\n日本語'];
function recordedStream(newline: string): string {
  const events = [
    ': stream-open',
    'data: {"type":"start","messageId":"m1","messageMetadata":{"model":"x"}}',
    'data: {"type":"text-start","id":"t1"}',
    ...DELTAS.map((delta) => `data: ${JSON.stringify({ type: 'text-delta', id: 't1', delta })}`),
    ': keep-alive',
    // One JSON value spread over two data lines: SSE joins them with a newline.
    'data: {"type":"text-end",\ndata: "id":"t1"}',
    'event: message\nid: 7\ndata: {"type":"finish","finishReason":"stop"}',
    'data: [DONE]',
  ];
  return events.map((event) => event.replaceAll('\n', newline)).join(newline + newline) + newline + newline;
}

const EXPECTED = [
  { type: 'start', messageId: 'm1', messageMetadata: { model: 'x' } },
  { type: 'text-start', id: 't1' },
  ...DELTAS.map((delta) => ({ type: 'text-delta', id: 't1', delta })),
  { type: 'text-end', id: 't1' },
  { type: 'finish', finishReason: 'stop' },
];

describe.each([
  ['LF', '\n'],
  ['CRLF', '\r\n'],
  ['CR', '\r'],
])('readUIMessageChunks with %s line endings', (_name, newline) => {
  const bytes = encoder.encode(recordedStream(newline));

  test('whole stream in one read', async () => {
    expect(await collect(bodyFrom(bytes, []))).toEqual(EXPECTED);
  });

  test('split at every byte offset', async () => {
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await collect(bodyFrom(bytes, [cut])), `cut at ${cut}`).toEqual(EXPECTED);
    }
  });

  test('one byte per read', async () => {
    const everyByte = Array.from({ length: bytes.length }, (_, i) => i);
    expect(await collect(bodyFrom(bytes, everyByte))).toEqual(EXPECTED);
  });

  test('random multi-splits', async () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let run = 0; run < 300; run++) {
      const cuts = Array.from({ length: 1 + Math.floor(random() * 30) }, () => Math.floor(random() * bytes.length));
      expect(await collect(bodyFrom(bytes, cuts)), `cuts ${cuts.join(',')}`).toEqual(EXPECTED);
    }
  });
});

test('a stream that ends without a terminal chunk is a lost connection, after its chunks', async () => {
  const cutShort = encoder.encode('data: {"type":"start"}\n\ndata: {"type":"text-start","id":"t"}\n\ndata: {"type":"text-delta","id":"t","delta":"par');
  const seen: string[] = [];
  await expect(async () => {
    for await (const batch of readUIMessageChunks(bodyFrom(cutShort, [5]))) seen.push(...batch.chunks.map((c) => c.type));
  }).rejects.toBeInstanceOf(StreamEndedError);
  expect(seen).toEqual(['start', 'text-start']);
});

test('an error chunk is a proper end even without [DONE]', async () => {
  const errored = encoder.encode('data: {"type":"start"}\n\ndata: {"type":"error","errorText":"boom"}\n\n');
  expect(await collect(bodyFrom(errored, [3]))).toEqual([{ type: 'start' }, { type: 'error', errorText: 'boom' }]);
});

test('nothing after [DONE] is read', async () => {
  const trailing = encoder.encode('data: {"type":"finish"}\n\ndata: [DONE]\n\ndata: {"type":"start"}\n\n');
  expect(await collect(bodyFrom(trailing, []))).toEqual([{ type: 'finish' }]);
});

test('a malformed event is reported', async () => {
  const broken = encoder.encode('data: {"type":"start"}\n\ndata: {"type": \n\n');
  await expect(collect(bodyFrom(broken, []))).rejects.toThrow('not valid JSON');
});

test('readSseData groups the events each read completed', async () => {
  const bytes = encoder.encode('data: a\n\ndata: b\n\ndata: c\n\n');
  const batches = [];
  for await (const batch of readSseData(bodyFrom(bytes, [12]))) batches.push(batch.data);
  expect(batches).toEqual([['a'], ['b', 'c']]);
});

test('readSseData carries the last event id, and never yields an event the connection cut off', async () => {
  const bytes = encoder.encode('id: 1\ndata: a\n\ndata: b\n\nid: 7\ndata: c\n\nid: 9\ndata: cut off');
  const batches = [];
  for await (const batch of readSseData(bodyFrom(bytes, [15, 24, 40]))) batches.push(batch);
  expect(batches).toEqual([
    { data: ['a'], lastEventId: '1' },
    { data: ['b'], lastEventId: '1' },
    { data: ['c'], lastEventId: '7' },
  ]);
});
