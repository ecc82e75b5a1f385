import { expect, test } from 'vitest';
import { titleFromText } from '@/lib/chat/turn';
import { cutText, isStorable, storableText } from './storable';

test('NUL and unpaired surrogates become U+FFFD; everything PostgreSQL stores is left as it is', () => {
  expect(storableText('a\0b')).toBe('a\uFFFDb');
  expect(storableText('x\ud800y')).toBe('x\uFFFDy');
  expect(storableText('x\udc00y')).toBe('x\uFFFDy');
  expect(storableText('\udc00\ud800')).toBe('\uFFFD\uFFFD');
  expect(storableText('end\ud83d')).toBe('end\uFFFD');
  for (const kept of ['😀 👩‍💻', '\uffff\ufdd0\ufffe', 'שלום עולם مرحبا', 'e\u0301 a\u0308', '你好', '']) {
    expect(isStorable(kept)).toBe(true);
    expect(storableText(kept)).toBe(kept);
  }
});

test('cut text never splits a surrogate pair, an emoji sequence or a letter from its combining marks', () => {
  const emoji = '😀';
  for (let position = 0; position <= 80; position++) {
    const title = titleFromText('a'.repeat(position) + emoji + 'b'.repeat(100));
    expect(title.length).toBeLessThanOrEqual(80);
    expect(title.endsWith('…')).toBe(true);
    expect(isStorable(title)).toBe(true);
    // Either the whole emoji made it in, or none of it.
    expect(title.includes(emoji) || !/[\ud800-\udfff]/.test(title)).toBe(true);
  }
  const family = '👩‍👩‍👧‍👦';
  expect(cutText('x'.repeat(5) + family + 'y'.repeat(20), 10)).toBe('xxxxx…');
  expect(cutText('e\u0301'.repeat(10), 6)).toBe('e\u0301e\u0301…');
  expect(cutText('short', 80)).toBe('short');
});
