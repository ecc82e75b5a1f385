/**
 * The chat's keyboard shortcuts. Combinations with Ctrl (⌘ on a Mac) work anywhere; single keys
 * ("/", "?") only when no text field has the focus, so they never take a character someone is
 * typing.
 */
export type ShortcutAction = 'newChat' | 'focusComposer' | 'stop' | 'copyLast' | 'search' | 'toggleSidebar' | 'help';

/** What a shortcut needs of a key event (a DOM KeyboardEvent has it). */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

export interface Shortcut {
  action: ShortcutAction;
  label: string;
  /** As people read it. */
  keys: string;
  /** As `aria-keyshortcuts` names it, for screen readers. */
  aria: string;
  /** Whether it may fire while someone is typing in a text field. */
  whileTyping: boolean;
  matches(press: KeyPress): boolean;
}

const mod = (press: KeyPress) => (press.ctrlKey || press.metaKey) && !press.altKey;
const plain = (press: KeyPress) => !press.ctrlKey && !press.metaKey && !press.altKey;
const key = (press: KeyPress, name: string) => press.key.toLowerCase() === name;

export const SHORTCUTS: Shortcut[] = [
  { action: 'newChat', label: 'New chat', keys: 'Ctrl+Shift+O', aria: 'Control+Shift+O', whileTyping: true, matches: (p) => mod(p) && p.shiftKey && key(p, 'o') },
  { action: 'focusComposer', label: 'Focus the message box', keys: '/', aria: '/', whileTyping: false, matches: (p) => plain(p) && p.key === '/' },
  { action: 'stop', label: 'Stop the answer', keys: 'Esc', aria: 'Escape', whileTyping: true, matches: (p) => plain(p) && !p.shiftKey && p.key === 'Escape' },
  { action: 'copyLast', label: 'Copy the last answer', keys: 'Ctrl+Shift+C', aria: 'Control+Shift+C', whileTyping: true, matches: (p) => mod(p) && p.shiftKey && key(p, 'c') },
  { action: 'search', label: 'Search conversations', keys: 'Ctrl+K', aria: 'Control+K', whileTyping: true, matches: (p) => mod(p) && !p.shiftKey && key(p, 'k') },
  { action: 'toggleSidebar', label: 'Show or hide the sidebar', keys: 'Ctrl+Shift+S', aria: 'Control+Shift+S', whileTyping: true, matches: (p) => mod(p) && p.shiftKey && key(p, 's') },
  { action: 'help', label: 'Show these shortcuts', keys: '? or Ctrl+/', aria: 'Shift+? Control+/', whileTyping: false, matches: (p) => (plain(p) && p.key === '?') || (mod(p) && p.key === '/') },
];

/** The shortcut a key press means, if any; `typing`: a text field has the focus. */
export function shortcutFor(press: KeyPress, typing: boolean): ShortcutAction | undefined {
  const found = SHORTCUTS.find((shortcut) => shortcut.matches(press));
  if (!found) return undefined;
  // Ctrl+/ opens the help even while typing; "?" is a character there.
  if (typing && !found.whileTyping && !(found.action === 'help' && mod(press))) return undefined;
  return found.action;
}

export const ariaKeys = (action: ShortcutAction): string => SHORTCUTS.find((shortcut) => shortcut.action === action)!.aria;
