/**
 * Splits a growing markdown text into blocks that can no longer change and a live tail, doing
 * work only on the tail. Re-splitting the whole answer on every update (what a plain markdown
 * renderer does) costs O(length) per update, O(length²) over an answer.
 */
export interface MarkdownSplit {
  /** Finished blocks: a later block has started after each of them. */
  frozen: string[];
  /** The text the frozen blocks cover, in one piece. */
  frozenText: string;
  /** The block still being written. */
  tail: string;
}

/** Splits markdown into top-level blocks whose concatenation is the input. */
export type BlockParser = (markdown: string) => string[];

const EMPTY: MarkdownSplit = { frozen: [], frozenText: '', tail: '' };

export function splitMarkdown(text: string, parse: BlockParser, previous: MarkdownSplit = EMPTY): MarkdownSplit {
  // Streaming text only grows; if the frozen part changed (an edit, a reset) start over.
  const base = text.startsWith(previous.frozenText) ? previous : EMPTY;
  const rest = text.slice(base.frozenText.length);
  const blocks = parse(rest);
  if (blocks.length <= 1 || blocks.join('') !== rest) return { ...base, tail: rest };
  const finished = blocks.slice(0, -1);
  const finishedText = finished.join('');
  return { frozen: [...base.frozen, ...finished], frozenText: base.frozenText + finishedText, tail: rest.slice(finishedText.length) };
}
