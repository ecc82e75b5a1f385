import { expect, test } from 'vitest';
import type { Conversation, StoredMessage } from '@/lib/db/schema';
import { ConversationExportSchema, parentsFirst, toExport, toMarkdown, type ExportedMessage } from './export-format';

const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n));
const conversation: Conversation = { id: 'c', identityId: 'i', title: 'Bread', model: 'm', systemPrompt: 'Answer like a baker.', apiKeyId: null, activeLeafId: 'a2', createdAt: at(0), updatedAt: at(9) };
const stored = (id: string, parentId: string | null, role: 'user' | 'assistant', text: string, n: number, status: StoredMessage['status'] = 'done'): StoredMessage => ({
  id, conversationId: 'c', parentId, role, parts: [{ type: 'text', text }], status, model: role === 'assistant' ? 'm' : null,
  usage: null, error: null, firstTokenMs: null, durationMs: null, createdAt: at(n), updatedAt: at(n),
});
const tree = [stored('q', null, 'user', 'How?', 1), stored('a1', 'q', 'assistant', 'First', 2), stored('a2', 'q', 'assistant', 'Second', 3, 'stopped')];

test('a JSON export keeps every version and validates as an import', () => {
  const exported = toExport(conversation, tree);
  const parsed = ConversationExportSchema.parse(JSON.parse(JSON.stringify(exported)));
  expect(parsed.messages.map((m) => m.id)).toEqual(['q', 'a1', 'a2']);
  expect(parsed.activeLeafId).toBe('a2');
  expect(parsed.systemPrompt).toBe('Answer like a baker.');
  // Exports made before conversations had a system prompt still import.
  const older: Partial<typeof exported> = { ...exported };
  delete older.systemPrompt;
  expect(ConversationExportSchema.parse(older).systemPrompt).toBeNull();
});

test('Markdown shows the chosen history, with speakers and statuses', () => {
  expect(toMarkdown(conversation, tree)).toBe('# Bread\n\n## System prompt\n\nAnswer like a baker.\n\n## You\n\nHow?\n\n## Assistant (m) — stopped\n\nSecond\n');
});

const m = (id: string, parentId: string | null): ExportedMessage => ({ id, parentId, role: 'user', parts: [], status: 'done', model: null, createdAt: at(0).toISOString() });

test('imports are ordered parents first, and broken trees are named', () => {
  expect((parentsFirst([m('c', 'b'), m('b', 'a'), m('a', null)]) as ExportedMessage[]).map((x) => x.id)).toEqual(['a', 'b', 'c']);
  expect(parentsFirst([m('a', null), m('b', 'zzz')])).toBe('message "b" has an unknown parent "zzz"');
  expect(parentsFirst([m('a', null), m('a', null)])).toBe('message id "a" appears twice');
  expect(parentsFirst([m('a', 'b'), m('b', 'a')])).toBe('messages form a cycle at "a"');
});

test('something that is not a Runnel export is refused', () => {
  expect(ConversationExportSchema.safeParse({ format: 'other', version: 1 }).success).toBe(false);
  expect(ConversationExportSchema.safeParse({ ...toExport(conversation, tree), messages: [] }).success).toBe(false);
});
