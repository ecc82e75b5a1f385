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

/** An identifier that is stored or looked up: refused (400) when it cannot be stored as sent. */
export const storableId = (max = 200, min = 1) =>
  z.string().min(min).max(max).refine(isStorable, 'must not contain NUL characters or unpaired UTF-16 surrogates');

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
