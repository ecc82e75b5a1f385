import { expect, test } from 'vitest';
import { MessageDraft, messageText, type ReplyPart } from './message';

test('builds text, reasoning and deep-merged metadata from chunks', () => {
  const draft = new MessageDraft('local');
  draft.apply({ type: 'start', messageId: 'm1', messageMetadata: { model: 'x', usage: { inputTokens: 3 } } });
  draft.apply({ type: 'reasoning-start', id: 'r' });
  draft.apply({ type: 'reasoning-delta', id: 'r', delta: 'thinking' });
  draft.apply({ type: 'reasoning-end', id: 'r' });
  draft.apply({ type: 'text-start', id: 't' });
  draft.apply({ type: 'text-delta', id: 't', delta: 'Hel' });
  const midway = draft.snapshot();
  draft.apply({ type: 'text-delta', id: 't', delta: 'lo' });
  draft.apply({ type: 'text-end', id: 't' });
  draft.apply({ type: 'finish', finishReason: 'stop', messageMetadata: { usage: { outputTokens: 2 } } });

  const message = draft.snapshot();
  expect(message).toEqual({
    id: 'm1',
    role: 'assistant',
    status: 'done',
    error: undefined,
    parts: [
      { type: 'reasoning', text: 'thinking', state: 'done' },
      { type: 'text', text: 'Hello', state: 'done' },
    ],
    metadata: { model: 'x', usage: { inputTokens: 3, outputTokens: 2 }, finishReason: 'stop' },
  });
  // Snapshots are independent of later chunks.
  expect(messageText(midway)).toBe('Hel');
  expect((midway.parts[1] as ReplyPart | undefined)?.state).toBe('streaming');
});

test('an error keeps the partial text and closes open parts', () => {
  const draft = new MessageDraft('local');
  draft.apply({ type: 'text-delta', id: 't', delta: 'partial' });
  draft.apply({ type: 'error', errorText: 'upstream failed' });
  draft.apply({ type: 'finish' });
  expect(draft.snapshot()).toMatchObject({ status: 'error', error: 'upstream failed', parts: [{ text: 'partial', state: 'done' }] });
});

test('abort marks the reply stopped', () => {
  const draft = new MessageDraft('local');
  draft.apply({ type: 'text-start', id: 't' });
  draft.apply({ type: 'abort', reason: 'stopped' });
  expect(draft.snapshot().status).toBe('stopped');
});
