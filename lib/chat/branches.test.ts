import { expect, test } from 'vitest';
import { mergeHistory, switchVersion, versionOf, type BranchMessage } from './branches';
import type { ChatMessage } from './message';

const msg = (id: string, role: 'user' | 'assistant', status?: ChatMessage['status']): ChatMessage => ({ id, role, parts: [{ type: 'text', text: id }], status });

test('regenerating and editing keep every version, and switching shows each branch', () => {
  let tree: BranchMessage[] = [];
  tree = mergeHistory(tree, [msg('q', 'user'), msg('a1', 'assistant', 'done')]);
  tree = mergeHistory(tree, [msg('q', 'user'), msg('local', 'assistant', 'streaming')]); // not kept
  tree = mergeHistory(tree, [msg('q', 'user'), msg('a2', 'assistant', 'done')]); // regenerated
  tree = mergeHistory(tree, [msg('q2', 'user'), msg('b1', 'assistant', 'done')]); // edited question

  expect(tree.map((m) => m.id).sort()).toEqual(['a1', 'a2', 'b1', 'q', 'q2']);
  expect(versionOf(tree, 'a2')).toEqual({ index: 1, count: 2 });
  expect(versionOf(tree, 'q2')).toEqual({ index: 1, count: 2 });

  expect(switchVersion(tree, 'q2', -1)?.map((m) => m.id)).toEqual(['q', 'a2']);
  expect(switchVersion(tree, 'a2', -1)?.map((m) => m.id)).toEqual(['q', 'a1']);
  expect(switchVersion(tree, 'a2', +1)).toBeUndefined();
});
