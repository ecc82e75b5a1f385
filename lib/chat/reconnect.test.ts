import { expect, test } from 'vitest';
import { isConnectionLoss, reconnectDelayMs } from './reconnect';

test('reconnect delays grow exponentially to 4 s, with full jitter', () => {
  const highest = (attempt: number) => reconnectDelayMs(attempt, () => 0.999999);
  expect([0, 1, 2, 3, 4, 5, 10].map(highest)).toEqual([300, 550, 1050, 2050, 4050, 4050, 4050]);
  expect(reconnectDelayMs(3, () => 0)).toBe(50);
  const spread = new Set(Array.from({ length: 50 }, () => reconnectDelayMs(4)));
  expect(spread.size).toBeGreaterThan(10);
});

test('only the network failing is worth a reconnect', () => {
  const cut = new Error('Connection lost before the reply finished.');
  cut.name = 'StreamEndedError';
  expect(isConnectionLoss(new TypeError('Failed to fetch'))).toBe(true);
  expect(isConnectionLoss(cut)).toBe(true);
  expect(isConnectionLoss(new Error('The server answered 400.'))).toBe(false);
  const dropped = new AbortController();
  dropped.abort();
  expect(isConnectionLoss(new DOMException('aborted', 'AbortError'), dropped.signal)).toBe(true);
  expect(isConnectionLoss(new DOMException('aborted', 'AbortError'), new AbortController().signal)).toBe(false);
});
