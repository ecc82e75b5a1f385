'use client';

import { useState, type ReactNode } from 'react';

/** What the markdown renderer passes to an element's component: its attributes, loosely typed. */
type ElementProps = { href?: unknown; src?: unknown; alt?: unknown; children?: unknown };

/**
 * A model's answer is untrusted: injected instructions can make it write links and images that
 * carry the conversation away in their URLs. These stand in for markdown's `a` and `img`.
 */

/** A link opens in a new tab that cannot reach back to this one, and says nothing of where it came from. */
export function UntrustedLink({ href, children }: ElementProps) {
  return (
    <a href={typeof href === 'string' ? href : undefined} target="_blank" rel="noopener noreferrer" className="underline underline-offset-2">
      {children as ReactNode}
    </a>
  );
}

/**
 * An image is not fetched until the reader asks for it: fetching it on sight would send whatever
 * its URL holds (a model can be tricked into putting the conversation in its query string).
 */
export function UntrustedImage({ src, alt: altText }: ElementProps) {
  const [shown, setShown] = useState(false);
  if (typeof src !== 'string' || !src) return null;
  const alt = typeof altText === 'string' ? altText : '';
  let host = 'another site';
  try {
    host = new URL(src).host;
  } catch {
    // shown as "another site"
  }
  if (shown) {
    // eslint-disable-next-line @next/next/no-img-element -- any host, at the reader's request; next/image would proxy it
    return <img src={src} alt={alt} referrerPolicy="no-referrer" className="max-w-full rounded" />;
  }
  return (
    <button type="button" onClick={() => setShown(true)} className="rounded border border-border px-2 py-1 text-sm text-muted" data-untrusted-image={src}>
      Show image{alt ? ` “${alt}”` : ''} from {host}
    </button>
  );
}
