import { expect, test } from 'vitest';
import { emailAllowed } from './allowlist';

test('an empty allowlist admits anyone', () => {
  expect(emailAllowed([], 'anyone@anywhere.test')).toBe(true);
});

test('an address admits itself, whatever its case; a domain admits its addresses but not its subdomains or look-alikes', () => {
  const list = ['ana@elsewhere.test', 'example.com'];
  expect(emailAllowed(list, 'Ana@Elsewhere.test')).toBe(true);
  expect(emailAllowed(list, 'bo@elsewhere.test')).toBe(false);
  expect(emailAllowed(list, 'bo@example.com')).toBe(true);
  expect(emailAllowed(list, 'bo@mail.example.com')).toBe(false);
  expect(emailAllowed(list, 'bo@example.com.evil.test')).toBe(false);
  expect(emailAllowed(list, 'bo@notexample.com')).toBe(false);
  expect(emailAllowed(list, 'example.com@evil.test')).toBe(false);
});
