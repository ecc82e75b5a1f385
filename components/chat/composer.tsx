'use client';

import { useState, type FormEvent, type KeyboardEvent, type Ref } from 'react';
import { Button } from '@/components/ui/button';
import { ariaKeys } from '@/lib/chat/shortcuts';
import type { ChatModel } from './chat';

interface ComposerProps {
  models: ChatModel[];
  modelId: string;
  /** The next message goes to this model; the conversation remembers it once sent. */
  onModelChange(id: string): void;
  /** A request is in flight: the button is Stop. */
  busy: boolean;
  onSend(text: string): void;
  onStop(): void;
  /** The message box, for the shortcut that focuses it. */
  inputRef?: Ref<HTMLTextAreaElement>;
}

/** Enter sends, Shift+Enter makes a new line, nothing is sent while an IME is composing. */
export function Composer({ busy, onSend, onStop, models, modelId, onModelChange, inputRef }: ComposerProps) {
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
    <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-2 rounded-2xl border border-line bg-surface p-2 shadow-sm focus-within:border-accent">
      <textarea
        ref={inputRef}
        aria-label="Message"
        aria-keyshortcuts={ariaKeys('focusComposer')}
        placeholder="Ask anything"
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        rows={1}
        autoFocus
        className="max-h-48 min-h-9 min-w-0 flex-1 basis-full resize-none sm:basis-0 bg-transparent px-2 py-1.5 leading-6 outline-none [field-sizing:content] placeholder:text-ink-muted"
      />
      <div className="ml-auto flex items-end gap-2">
        {models.length > 1 && (
          <select
            aria-label="Model"
            value={modelId}
            onChange={(event) => onModelChange(event.target.value)}
            disabled={busy}
            className="h-9 max-w-48 rounded-lg border border-line bg-surface px-2 text-sm text-ink-muted outline-none hover:text-ink focus-visible:border-accent disabled:opacity-60"
          >
            {models.map((model) => (
              <option key={model.id} value={model.id}>
                {model.label}
              </option>
            ))}
          </select>
        )}
        {busy ? (
          <Button aria-label="Stop" aria-keyshortcuts={ariaKeys('stop')} variant="secondary" onClick={onStop}>
            <span aria-hidden className="size-2.5 rounded-[2px] bg-current" />
            Stop
          </Button>
        ) : (
          <Button type="submit" disabled={!text.trim()}>
            Send
          </Button>
        )}
      </div>
    </form>
  );
}
