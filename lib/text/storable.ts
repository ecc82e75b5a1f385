import { z } from 'zod';

/**
 * PostgreSQL (and PGlite) refuse two things that are valid in JavaScript strings and in JSON, and
 * that turn up in pasted text, binary files and model output: U+0000 ("invalid byte sequence for
 * encoding UTF8: 0x00") and UTF-16 surrogates without their other half. The one rule, for
 * everything stored and everything sent upstream: each becomes U+FFFD, the replacement character,
 * so the text keeps its length and shows where something was. Identifiers are refused instead
 * (see `storableId`): a mangled id would name something else.
 */
const REPLACEMENT = '\uFFFD';

export const isStorable = (text: string): boolean => text.isWellFormed() && !text.includes('\0');

export function storableText(text: string): string {
  if (isStorable(text)) return text;
  return text.toWellFormed().replaceAll('\0', REPLACEMENT);
}

/** A string field that is stored: at most `max` characters, made storable. */
export const storableString = (max: number) => z.string().max(max).transform(storableText);

/**
 * Identifiers (of conversations, messages, versions) are made by programs: letters, digits and
 * `- _ . : ~`, as AI SDK clients, UUIDs and Runnel make them. Anything else is refused (400) rather
 * than stored: beyond NUL and lone surrogates, an id can be changed on its way back (the embedded
 * database drops a leading U+FEFF from every text value it returns), and would then name nothing.
 */
const ID = /^[\w.:~-]*$/;
export const isSafeId = (id: string): boolean => ID.test(id);
export const storableId = (max = 200, min = 1) => z.string().min(min).max(max).regex(ID, 'use letters, digits and - _ . : ~ only');

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * `text` cut to at most `maxChars` UTF-16 units, ellipsis included, at a grapheme boundary: never
 * half of a surrogate pair, an emoji sequence or a letter with its combining marks.
 */
export function cutText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let cut = 0;
  for (const { index, segment } of graphemes.segment(text)) {
    if (index + segment.length > maxChars - 1) break;
    cut = index + segment.length;
  }
  return `${text.slice(0, cut)}…`;
}
