import { readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';
import { expect, test } from 'vitest';
import { Generation } from './generation';
import type { ChunkSink, Provider } from './providers/types';

/** A provider that plays a script of reasoning and text, then stays open until `finish()`. */
function scriptedProvider(script: ['reasoning' | 'text', string][]) {
  let finish = () => {};
  const provider: Provider = {
    health: async () => ({ ok: true }),
    open: async () => ({
      pipe: (sink: ChunkSink) =>
        new Promise<void>((resolve) => {
          for (const [kind, delta] of script) sink[kind](delta);
          finish = () => {
            sink.finish('stop');
            resolve();
          };
        }),
    }),
  };
  return { provider, finish: () => finish() };
}

async function fold(chunks: UIMessageChunk[]): Promise<UIMessage | undefined> {
  const stream = new ReadableStream<UIMessageChunk>({
    start(controller) {
      chunks.forEach((chunk) => controller.enqueue(chunk));
      controller.close();
    },
  });
  let message: UIMessage | undefined;
  for await (const snapshot of readUIMessageStream({ stream, terminateOnError: true })) message = snapshot;
  return message;
}

const start = (provider: Provider) =>
  Generation.start({ provider, prompt: { model: 'm', messages: [] }, model: { id: 'm', label: 'M' }, firstByteTimeoutMs: 1000 });

test('interleaved reasoning and text become parts in order, for live and late readers alike', async () => {
  const { provider, finish } = scriptedProvider([
    ['reasoning', 'think '],
    ['reasoning', 'more '],
    ['text', 'Hello '],
    ['reasoning', 'again '],
    ['text', 'world'],
  ]);
  const generation = await start(provider);
  const live: UIMessageChunk[] = [];
  // Subscribed after the script ran: the replay must close every part but the open one.
  const ended = new Promise<void>((resolve) => generation.subscribe({ chunk: (c) => live.push(c), end: resolve }));
  finish();
  await ended;
  // Subscribed after the end: everything is replayed.
  const late: UIMessageChunk[] = [];
  generation.subscribe({ chunk: (c) => late.push(c), end() {} });

  const expected = [
    { type: 'reasoning', text: 'think more ', state: 'done' },
    { type: 'text', text: 'Hello ', state: 'done' },
    { type: 'reasoning', text: 'again ', state: 'done' },
    { type: 'text', text: 'world', state: 'done' },
  ];
  const parts = async (chunks: UIMessageChunk[]) => (await fold(chunks))?.parts.map((p) => ({ type: p.type, text: 'text' in p ? p.text : '', state: 'state' in p ? p.state : '' }));
  expect(await parts(live)).toEqual(expected);
  expect(await parts(late)).toEqual(expected);
  expect(generation.contentParts()).toEqual(expected);
  expect(generation.text).toBe('Hello world');
  expect(generation.reasoningText()).toBe('think more again ');
});

test('resuming after any position a reader was given yields exactly the rest of the reply, once', async () => {
  const { provider, finish } = scriptedProvider([
    ['reasoning', 'ab'],
    ['reasoning', 'c'],
    ['text', 'Hé'],
    ['text', '😀 x'],
    ['reasoning', 'd'],
    ['text', 'end'],
  ]);
  const generation = await start(provider);
  finish();
  await generation.ended;
  const all: [UIMessageChunk, number][] = [];
  generation.subscribe({ chunk: (chunk, at) => all.push([chunk, at]), end() {} });
  const positions = all.map(([, at]) => at);
  expect(positions).toEqual([...positions].sort((a, b) => a - b));
  expect(new Set(positions).size).toBe(positions.length);
  expect(positions.at(-1)).toBe(generation.position);

  const expected = await fold(all.map(([chunk]) => chunk));
  // Every position a reader could hold (a delta's positions are its characters): cut there, resume, fold both halves.
  for (let cut = 0; cut <= generation.position; cut++) {
    const before = chunksUpTo(all, cut);
    const rest: [UIMessageChunk, number][] = [];
    generation.subscribe({ chunk: (chunk, at) => rest.push([chunk, at]), end() {} }, cut);
    expect(rest.every(([, at]) => at > cut), `cut at ${cut}`).toBe(true);
    expect(await fold([...before, ...rest.map(([chunk]) => chunk)]), `cut at ${cut}`).toEqual(expected);
  }
});

/** What a reader holding position `cut` has received, a delta cut inside its text where the cut falls. */
function chunksUpTo(all: [UIMessageChunk, number][], cut: number): UIMessageChunk[] {
  const received: UIMessageChunk[] = [];
  for (const [chunk, at] of all) {
    if (at <= cut) received.push(chunk);
    else if (chunk.type === 'text-delta' || chunk.type === 'reasoning-delta') {
      const kept = chunk.delta.length - (at - cut);
      if (kept > 0) received.push({ ...chunk, delta: chunk.delta.slice(0, kept) });
      break;
    } else break;
  }
  return received;
}
