'use client';

import { lazy, Suspense } from 'react';

const loadMarkdown = () => import('./markdown');
const Markdown = lazy(loadMarkdown);

const whenIdle = (callback: () => void) =>
  typeof window.requestIdleCallback === 'function' ? window.requestIdleCallback(callback, { timeout: 2000 }) : setTimeout(callback, 200);

/**
 * Loads the markdown renderer and its highlighter once the page has loaded, while it is idle,
 * before any answer needs them. Until then an answer shows as plain text.
 */
export function preloadMarkdown(): void {
  const preload = () => whenIdle(() => void loadMarkdown().then((module) => module.warmUpHighlighter(whenIdle)));
  if (document.readyState === 'complete') preload();
  else window.addEventListener('load', preload, { once: true });
}

/** Markdown, with the plain text shown until the renderer has loaded. */
export function LazyMarkdown({ text, streaming }: { text: string; streaming: boolean }) {
  return (
    <Suspense fallback={<p className="leading-7 whitespace-pre-wrap">{text}</p>}>
      <Markdown text={text} streaming={streaming} />
    </Suspense>
  );
}
