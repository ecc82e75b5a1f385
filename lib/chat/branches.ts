import type { ChatMessage } from './message';
import { newestLeafUnder, pathTo, siblingsOf } from './tree';

/** A message with its place in the conversation tree. */
export interface BranchMessage extends ChatMessage {
  parentId: string | null;
  createdAt: number;
}

/**
 * Every version of every message the chat has seen: what was stored, plus each history shown
 * since. A history is a chain, each message the child of the one before it. Replies still
 * streaming are left out: their id becomes the server's when the stream starts.
 */
export function mergeHistory(tree: BranchMessage[], history: ChatMessage[]): BranchMessage[] {
  const byId = new Map(tree.map((m) => [m.id, m]));
  let parentId: string | null = null;
  for (const message of history) {
    if (message.status !== 'streaming') {
      byId.set(message.id, { ...message, parentId, createdAt: byId.get(message.id)?.createdAt ?? Date.now() });
    }
    parentId = message.id;
  }
  return [...byId.values()];
}

/** Which version of a message this is, and how many there are. */
export function versionOf(tree: BranchMessage[], id: string): { index: number; count: number } {
  const siblings = siblingsOf(tree, id);
  return { index: siblings.findIndex((m) => m.id === id), count: siblings.length };
}

/** For each message, the last message shown at the end of a history through it. */
export type LastViewed = ReadonlyMap<string, string>;

export function recordViewed(lastViewed: LastViewed, history: ChatMessage[]): LastViewed {
  const leaf = history.at(-1)?.id;
  if (!leaf) return lastViewed;
  const next = new Map(lastViewed);
  for (const message of history) next.set(message.id, leaf);
  return next;
}

/**
 * The history to show after moving from message `id` to its sibling `step` places away: the one
 * last viewed through that sibling, else the newest under it.
 */
export function switchVersion(tree: BranchMessage[], id: string, step: number, lastViewed: LastViewed = new Map()): BranchMessage[] | undefined {
  const siblings = siblingsOf(tree, id);
  const target = siblings[siblings.findIndex((m) => m.id === id) + step];
  if (!target) return undefined;
  const remembered = lastViewed.get(target.id);
  const leaf = remembered && pathTo(tree, remembered).some((m) => m.id === target.id) ? remembered : newestLeafUnder(tree, target.id);
  return pathTo(tree, leaf);
}
