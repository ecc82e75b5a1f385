import { parseMarkdownIntoBlocks } from 'streamdown';
import { expect, test } from 'vitest';
import { splitMarkdown, type MarkdownSplit } from './markdown-blocks';

const DOC = [
  '# Title\n\n',
  'A paragraph with **bold** and `code`.\n\n',
  '- one\n- two\n- three\n\n',
  '```ts\nconst x = 1;\n\nconst y = 2;\n```\n\n',
  '| a | b |\n| - | - |\n| 1 | 2 |\n\n',
  '> quoted\n\n',
  'Last paragraph that is still being written',
].join('');

test('streamed in pieces, the split always covers the text and ends as a whole-text split would', () => {
  let split: MarkdownSplit | undefined;
  for (let end = 1; end <= DOC.length; end += 3) {
    const text = DOC.slice(0, end);
    split = splitMarkdown(text, parseMarkdownIntoBlocks, split);
    expect(split.frozen.join('') + split.tail).toBe(text);
    expect(split.frozenText).toBe(split.frozen.join(''));
  }
  split = splitMarkdown(DOC, parseMarkdownIntoBlocks, split);
  expect([...split.frozen, split.tail]).toEqual(parseMarkdownIntoBlocks(DOC));
});

test('a code block is never frozen while its fence is open', () => {
  let split = splitMarkdown('Intro\n\n```ts\nline one\n\n', parseMarkdownIntoBlocks);
  split = splitMarkdown('Intro\n\n```ts\nline one\n\nline two\n', parseMarkdownIntoBlocks, split);
  expect(split.frozen).toEqual(['Intro\n\n']);
  expect(split.tail).toBe('```ts\nline one\n\nline two\n');
});

test('text that is not a continuation starts over', () => {
  const first = splitMarkdown('# A\n\nbody', parseMarkdownIntoBlocks);
  const other = splitMarkdown('# B\n\nbody', parseMarkdownIntoBlocks, first);
  expect(other.frozen).toEqual(['# B\n\n']);
});
