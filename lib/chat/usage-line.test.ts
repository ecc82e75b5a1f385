import { expect, test } from 'vitest';
import { usagePhrases } from './usage-line';

test('tokens, cost, time to first token and speed, in short phrases', () => {
  expect(
    usagePhrases({
      usage: { inputTokens: 1234, outputTokens: 340, totalTokens: 1574, costUsd: 0.000389 },
      timing: { firstTokenMs: 320, durationMs: 7820 },
    }),
  ).toEqual(['1,234 in / 340 out', '$0.00039', '320 ms to first token', '45.3 tok/s']);
});

test('estimated counts are marked, dollars above a cent are rounded to cents, slow starts in seconds', () => {
  expect(
    usagePhrases({ usage: { inputTokens: 10, outputTokens: 5000, totalTokens: 5010, estimated: true, costUsd: 1.2345 }, timing: { firstTokenMs: 2500, durationMs: 27500 } }),
  ).toEqual(['~10 in / ~5,000 out', '$1.23', '2.5 s to first token', '200 tok/s']);
});

test('missing figures are left out, not shown as zero', () => {
  expect(usagePhrases(undefined)).toEqual([]);
  expect(usagePhrases({ timing: { durationMs: 100 } })).toEqual([]);
  expect(usagePhrases({ usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4, costUsd: 0 }, timing: { firstTokenMs: 5, durationMs: 5 } })).toEqual([
    '3 in / 1 out',
    '$0',
    '5 ms to first token',
  ]);
});
