'use client';

import { lazy, Suspense } from 'react';

const loadMarkdown = () => import('./markdown');
const Markdown = lazy(loadMarkdown);

/** Loads the markdown renderer (and its highlighter) after the page is interactive. */
export function preloadMarkdown(): void {
  void loadMarkdown();
}

/** Markdown, with the plain text shown until the renderer has loaded. */
export function LazyMarkdown({ text, streaming }: { text: string; streaming: boolean }) {
  return (
    <Suspense fallback={<p className="leading-7 whitespace-pre-wrap">{text}</p>}>
      <Markdown text={text} streaming={streaming} />
    </Suspense>
  );
}
