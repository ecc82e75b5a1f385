'use client';

import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { Button } from '@/components/ui/button';

interface ComposerProps {
  /** A request is in flight: the button is Stop. */
  busy: boolean;
  onSend(text: string): void;
  onStop(): void;
}

/** Enter sends, Shift+Enter makes a new line, nothing is sent while an IME is composing. */
export function Composer({ busy, onSend, onStop }: ComposerProps) {
  const [text, setText] = useState('');

  const submit = () => {
    if (!text.trim()) return;
    onSend(text);
    setText('');
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // keyCode 229: Safari ends composition before keydown but still reports the IME's Enter.
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    submit();
  };

  return (
    <form onSubmit={onSubmit} className="flex items-end gap-2 rounded-2xl border border-line bg-surface p-2 shadow-sm focus-within:border-accent">
      <textarea
        aria-label="Message"
        placeholder="Ask anything"
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        rows={1}
        autoFocus
        className="max-h-48 min-h-9 flex-1 resize-none bg-transparent px-2 py-1.5 leading-6 outline-none [field-sizing:content] placeholder:text-ink-muted"
      />
      {busy ? (
        <Button aria-label="Stop" variant="secondary" onClick={onStop}>
          <span aria-hidden className="size-2.5 rounded-[2px] bg-current" />
          Stop
        </Button>
      ) : (
        <Button type="submit" disabled={!text.trim()}>
          Send
        </Button>
      )}
    </form>
  );
}
