/**
 * A conversation is a tree of messages: regenerating an answer or editing a question adds a
 * sibling. What is shown is the path from the root to the active leaf. Client-safe and pure.
 */
export interface TreeNode {
  id: string;
  parentId: string | null;
  createdAt: Date | string | number;
}

const time = (node: TreeNode) => new Date(node.createdAt).getTime();

/** The messages from the root to `leafId`, in order; empty if the leaf is unknown. */
export function pathTo<T extends TreeNode>(nodes: T[], leafId: string | null | undefined): T[] {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const path: T[] = [];
  for (let node = leafId ? byId.get(leafId) : undefined; node; node = node.parentId ? byId.get(node.parentId) : undefined) {
    path.push(node);
    if (path.length > nodes.length) throw new Error('message tree has a cycle');
  }
  return path.reverse();
}

/** The message and its siblings (same parent), oldest first: the "‹ 2 / 3 ›" switcher's list. */
export function siblingsOf<T extends TreeNode>(nodes: T[], id: string): T[] {
  const node = nodes.find((n) => n.id === id);
  if (!node) return [];
  return nodes.filter((n) => n.parentId === node.parentId).sort((a, b) => time(a) - time(b));
}

/** The newest leaf under `id` (following the newest child at each step): where a switch lands. */
export function newestLeafUnder<T extends TreeNode>(nodes: T[], id: string): string {
  let current = id;
  for (;;) {
    const children = nodes.filter((n) => n.parentId === current);
    if (children.length === 0) return current;
    current = children.reduce((newest, child) => (time(child) >= time(newest) ? child : newest)).id;
  }
}
