import { expect, test } from 'vitest';
import { shortcutFor, type KeyPress } from './shortcuts';

const press = (key: string, held: Partial<KeyPress> = {}): KeyPress => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...held });

test('each shortcut, with Ctrl or ⌘', () => {
  expect(shortcutFor(press('O', { ctrlKey: true, shiftKey: true }), false)).toBe('newChat');
  expect(shortcutFor(press('o', { metaKey: true, shiftKey: true }), false)).toBe('newChat');
  expect(shortcutFor(press('/'), false)).toBe('focusComposer');
  expect(shortcutFor(press('Escape'), false)).toBe('stop');
  expect(shortcutFor(press('C', { ctrlKey: true, shiftKey: true }), false)).toBe('copyLast');
  expect(shortcutFor(press('k', { metaKey: true }), false)).toBe('search');
  expect(shortcutFor(press('S', { ctrlKey: true, shiftKey: true }), false)).toBe('toggleSidebar');
  expect(shortcutFor(press('?', { shiftKey: true }), false)).toBe('help');
  expect(shortcutFor(press('/', { ctrlKey: true }), false)).toBe('help');
});

test('while typing, characters stay characters; combinations and Esc still work', () => {
  expect(shortcutFor(press('/'), true)).toBeUndefined();
  expect(shortcutFor(press('?', { shiftKey: true }), true)).toBeUndefined();
  expect(shortcutFor(press('k'), true)).toBeUndefined();
  expect(shortcutFor(press('k', { ctrlKey: true }), true)).toBe('search');
  expect(shortcutFor(press('/', { ctrlKey: true }), true)).toBe('help');
  expect(shortcutFor(press('Escape'), true)).toBe('stop');
});

test('other keys and other modifiers are left alone', () => {
  expect(shortcutFor(press('c', { ctrlKey: true }), false)).toBeUndefined(); // plain copy
  expect(shortcutFor(press('k', { ctrlKey: true, altKey: true }), false)).toBeUndefined();
  expect(shortcutFor(press('Escape', { shiftKey: true }), false)).toBeUndefined();
  expect(shortcutFor(press('a'), false)).toBeUndefined();
});
