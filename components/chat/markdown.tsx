'use client';

import { code } from '@streamdown/code';
import { Streamdown } from 'streamdown';

const plugins = { code };
const controls = { code: true, table: true } as const;

/**
 * Streaming-safe markdown: streamdown completes unterminated syntax while text arrives and
 * re-renders only the last block, with highlighted code and a copy button.
 */
export default function Markdown({ text, streaming }: { text: string; streaming: boolean }) {
  return (
    <Streamdown plugins={plugins} controls={controls} isAnimating={streaming} className="markdown space-y-3 leading-7">
      {text}
    </Streamdown>
  );
}
