'use client';

import { useEffect, useRef } from 'react';
import { shortcutFor, type ShortcutAction } from '@/lib/chat/shortcuts';

/** Whether the focus is somewhere keys are text: a text field, a select, an editable element. */
function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'submit', 'reset', 'file'].includes(target.type);
}

/**
 * Runs the handler of each keyboard shortcut pressed (lib/chat/shortcuts.ts) while the component
 * is mounted. A handler that answers false lets the key through (Esc with nothing to stop).
 */
export function useShortcuts(handlers: Partial<Record<ShortcutAction, () => boolean | void>>): void {
  // The latest handlers, without re-adding the listener on every render.
  const current = useRef(handlers);
  useEffect(() => {
    current.current = handlers;
  });
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      const action = shortcutFor(event, typingIn(event.target));
      const handler = action && current.current[action];
      if (!handler || handler() === false) return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
