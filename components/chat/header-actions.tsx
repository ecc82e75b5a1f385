'use client';

import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Button } from '@/components/ui/button';

type Action = { label: string; onClick(): void } | { label: string; href: string };

/** The conversation's actions: its instructions, sharing, its exports; in the header, or a menu on a phone. */
export function HeaderActions({ conversationId, onInstructions, onShare }: { conversationId: string; onInstructions(): void; onShare(): void }) {
  const base = `/api/conversations/${encodeURIComponent(conversationId)}/export`;
  const actions: Action[] = [
    { label: 'Instructions', onClick: onInstructions },
    { label: 'Share', onClick: onShare },
    { label: 'Export Markdown', href: `${base}?format=markdown` },
    { label: 'Export JSON', href: `${base}?format=json` },
  ];
  return (
    <>
      <nav aria-label="This conversation" className="ml-auto hidden gap-1 md:flex">
        {actions.map((action) => (
          <ActionItem key={action.label} action={action} className="rounded-lg px-2 py-1 text-xs text-ink-muted hover:bg-surface-raised hover:text-ink" />
        ))}
      </nav>
      {/* On a phone the header has room for one button: the actions go into its menu. */}
      <PhoneMenu label="Conversation actions">
        {actions.map((action) => (
          <ActionItem key={action.label} action={action} className="rounded-md px-3 py-2 text-left text-sm hover:bg-line/40" />
        ))}
      </PhoneMenu>
    </>
  );
}

function ActionItem({ action, className }: { action: Action; className: string }) {
  if ('href' in action) {
    return (
      <a href={action.href} download className={className}>
        {action.label}
      </a>
    );
  }
  return (
    <button type="button" onClick={action.onClick} className={className}>
      {action.label}
    </button>
  );
}

/** A "⋯" button that opens its children below it; only on narrow screens. Escape, a click elsewhere or a choice closes it. */
function PhoneMenu({ label, children }: { label: string; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (event: Event) => {
      if (event instanceof KeyboardEvent ? event.key === 'Escape' : !root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', close);
    document.addEventListener('pointerdown', close);
    return () => {
      document.removeEventListener('keydown', close);
      document.removeEventListener('pointerdown', close);
    };
  }, [open]);
  return (
    <div ref={root} className="relative ml-auto md:hidden">
      <Button variant="ghost" aria-label={label} aria-expanded={open} onClick={() => setOpen((was) => !was)}>
        ⋯
      </Button>
      {open && (
        <nav aria-label={label} onClick={() => setOpen(false)} className="absolute right-0 z-20 mt-1 flex w-44 flex-col rounded-lg border border-line bg-surface-raised p-1 shadow-lg">
          {children}
        </nav>
      )}
    </div>
  );
}
