'use client';

import { useEffect, useRef } from 'react';
import { Button } from '@/components/ui/button';
import { SHORTCUTS } from '@/lib/chat/shortcuts';

/** The list of keyboard shortcuts, in a modal dialog (Esc or Close shuts it). */
export function ShortcutsHelp({ open, onClose }: { open: boolean; onClose(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (open && !element?.open) element?.showModal();
    if (!open && element?.open) element.close();
  }, [open]);
  return (
    <dialog ref={dialog} onClose={onClose} aria-labelledby="shortcuts-title" className="m-auto w-full max-w-md rounded-xl border border-line bg-surface p-5 text-ink backdrop:bg-black/40">
      <h2 id="shortcuts-title" className="mb-3 text-lg font-semibold">
        Keyboard shortcuts
      </h2>
      <table className="w-full text-sm">
        <tbody>
          {SHORTCUTS.map((shortcut) => (
            <tr key={shortcut.action} className="border-t border-line">
              <td className="py-2">{shortcut.label}</td>
              <td className="py-2 text-right">
                <kbd className="rounded border border-line bg-surface-raised px-1.5 py-0.5 font-mono text-xs">{shortcut.keys}</kbd>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="mt-3 text-xs text-ink-muted">On a Mac, ⌘ works wherever Ctrl is shown. Single keys work when you are not typing.</p>
      <div className="mt-4 flex justify-end">
        <Button variant="secondary" onClick={onClose}>
          Close
        </Button>
      </div>
    </dialog>
  );
}
