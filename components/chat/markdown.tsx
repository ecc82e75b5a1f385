'use client';

import { code } from '@streamdown/code';
import { memo, useState } from 'react';
import { defaultRehypePlugins, parseMarkdownIntoBlocks, Streamdown, type Components, type StreamdownProps } from 'streamdown';
import type { Pluggable, Plugin } from 'unified';
import { splitMarkdown } from '@/lib/chat/markdown-blocks';
import { UntrustedImage, UntrustedLink } from './untrusted-media';

// Raw HTML in a model's answer is shown as text, not parsed: safer, and rehype-raw (a full HTML
// parser run on every render) was the largest cost of rendering a streaming block.
const { harden: defaultHarden, ...otherRehypePlugins } = defaultRehypePlugins;
delete otherRehypePlugins.raw;
// Links and images only over http(s) (and mailto: links): javascript:, data:, vbscript: and the
// like are shown as plain text. Streamdown's default allows every protocol.
const [hardenPlugin] = defaultHarden as [Plugin, ...unknown[]];
const hardened: Pluggable = [
  hardenPlugin,
  { allowedLinkPrefixes: ['*'], allowedImagePrefixes: ['*'], allowedProtocols: ['http', 'https', 'mailto'], allowDataImages: false, linkBlockPolicy: 'text-only', imageBlockPolicy: 'text-only' },
];
const options: Partial<StreamdownProps> = {
  plugins: { code },
  controls: { code: true, table: true },
  rehypePlugins: [...Object.values(otherRehypePlugins), hardened],
  // Streamdown's Components type asks each component to take both the element's props and any
  // props (an index signature); these read only the few attributes they need.
  components: { a: UntrustedLink, img: UntrustedImage } as Components,
};

const COMMON_LANGUAGES = ['typescript', 'javascript', 'python', 'bash', 'json'] as const;

/**
 * Loads the highlighter and common grammars ahead of time, one per idle period: evaluating a
 * grammar is a single task of ~100 ms, which would otherwise land in the middle of an answer.
 */
export function warmUpHighlighter(whenIdle: (callback: () => void) => void): void {
  const next = (index: number) => {
    const language = COMMON_LANGUAGES[index];
    if (!language) return;
    whenIdle(() => code.highlight({ code: 'x', language, themes: code.getThemes() }, () => next(index + 1)));
  };
  next(0);
}

/**
 * Streaming-safe markdown (streamdown: unterminated syntax completed while text arrives,
 * highlighted code with a copy button). Finished blocks are rendered once each and never again;
 * only the block being written re-renders as text arrives, so the cost of an update does not
 * grow with the length of the answer.
 */
export default function Markdown({ text, streaming }: { text: string; streaming: boolean }) {
  // Each split builds on the previous one; React's pattern for state derived from changing props.
  const [state, setState] = useState(() => ({ text, split: splitMarkdown(text, parseMarkdownIntoBlocks) }));
  let { split } = state;
  if (state.text !== text) {
    split = splitMarkdown(text, parseMarkdownIntoBlocks, split);
    setState({ text, split });
  }
  return (
    <div className="markdown space-y-4 leading-7">
      {groupsOf(split.frozen, GROUP_SIZE).map((blocks, index) => (
        <FinishedGroup key={index} blocks={blocks} />
      ))}
      {split.tail && (
        <Streamdown {...options} isAnimating={streaming} mode={streaming ? 'streaming' : 'static'}>
          {split.tail}
        </Streamdown>
      )}
    </div>
  );
}

/** Finished blocks per group: the unit of memoisation and of off-screen skipping. */
const GROUP_SIZE = 16;

function groupsOf(blocks: string[], size: number): string[][] {
  const groups: string[][] = [];
  for (let start = 0; start < blocks.length; start += size) groups.push(blocks.slice(start, start + size));
  return groups;
}

const sameBlocks = (a: { blocks: string[] }, b: { blocks: string[] }) =>
  a.blocks.length === b.blocks.length && a.blocks.every((block, i) => block === b.blocks[i]);

/**
 * Off screen, a group skips style, layout and paint (keeping its last measured size). Per group,
 * not per block: each `content-visibility: auto` element costs an intersection check per frame.
 */
const FinishedGroup = memo(function FinishedGroup({ blocks }: { blocks: string[] }) {
  return (
    <div className="space-y-4 [contain-intrinsic-size:auto_20rem] [content-visibility:auto]">
      {blocks.map((block, index) => (
        <FinishedBlock key={index} text={block} />
      ))}
    </div>
  );
}, sameBlocks);

const FinishedBlock = memo(function FinishedBlock({ text }: { text: string }) {
  return (
    <Streamdown {...options} mode="static">
      {text}
    </Streamdown>
  );
});
