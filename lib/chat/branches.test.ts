import { expect, test } from 'vitest';
import { mergeHistory, recordViewed, switchVersion, versionOf, type BranchMessage, type LastViewed } from './branches';
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

test('switching back to a branch shows the answer last viewed in it', () => {
  let tree: BranchMessage[] = [];
  let viewed: LastViewed = new Map();
  const show = (history: ChatMessage[]) => {
    tree = mergeHistory(tree, history);
    viewed = recordViewed(viewed, history);
  };
  show([msg('q', 'user'), msg('a1', 'assistant', 'done')]);
  show([msg('q', 'user'), msg('a2', 'assistant', 'done')]);
  show([msg('q', 'user'), msg('a1', 'assistant', 'done')]); // went back to the first answer
  show([msg('q2', 'user'), msg('b1', 'assistant', 'done')]); // then edited the question

  expect(switchVersion(tree, 'q2', -1, viewed)?.map((m) => m.id)).toEqual(['q', 'a1']);
  expect(switchVersion(tree, 'q2', -1)?.map((m) => m.id)).toEqual(['q', 'a2']); // nothing remembered: newest
});
