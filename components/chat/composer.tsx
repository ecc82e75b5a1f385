'use client';

import { useEffect, useRef, useState, type ClipboardEvent, type DragEvent, type FormEvent, type KeyboardEvent, type Ref } from 'react';
import { Button } from '@/components/ui/button';
import { PaperclipIcon } from '@/components/ui/icons';
import { useAttachments } from '@/hooks/use-attachments';
import { isImageType, PICKER_ACCEPT } from '@/lib/attachments/limits';
import type { AttachmentPart } from '@/lib/chat/message';
import { ariaKeys } from '@/lib/chat/shortcuts';
import { PendingFiles } from './attachments';
import type { ChatModel } from './chat';

interface ComposerProps {
  models: ChatModel[];
  modelId: string;
  /** The next message goes to this model; the conversation remembers it once sent. */
  onModelChange(id: string): void;
  /** A request is in flight: the button is Stop. */
  busy: boolean;
  onSend(text: string, files: AttachmentPart[]): void;
  onStop(): void;
  /** The message box, for the shortcut that focuses it. */
  inputRef?: Ref<HTMLTextAreaElement>;
}

/**
 * Enter sends, Shift+Enter makes a new line, nothing is sent while an IME is composing. Files are
 * pasted, dropped or picked, and upload at once; the message waits only for those still uploading.
 */
export function Composer({ busy, onSend, onStop, models, modelId, onModelChange, inputRef }: ComposerProps) {
  const [text, setText] = useState('');
  const [dragging, setDragging] = useState(false);
  const attachments = useAttachments();
  const picker = useRef<HTMLInputElement>(null);
  const model = models.find((m) => m.id === modelId);
  const ready = attachments.files.flatMap((file) => (file.state === 'ready' && file.part ? [file.part] : []));
  const uploading = attachments.files.some((file) => file.state === 'uploading');
  const refusedImages = model && !model.images && ready.some((part) => isImageType(part.mediaType));
  const canSend = (text.trim() !== '' || ready.length > 0) && !uploading && !refusedImages;

  const submit = () => {
    if (!canSend) return;
    onSend(text, ready);
    setText('');
    attachments.clear();
  };
  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = [...event.clipboardData.files];
    if (files.length === 0) return;
    event.preventDefault();
    attachments.add(files);
  };
  const onDragOver = (event: DragEvent) => {
    if (!event.dataTransfer.types.includes('Files')) return;
    event.preventDefault();
    setDragging(true);
  };
  const onDrop = (event: DragEvent) => {
    setDragging(false);
    if (event.dataTransfer.files.length === 0) return;
    event.preventDefault();
    attachments.add([...event.dataTransfer.files]);
  };
  // A file dropped anywhere else on the page is attached too, rather than opened by the browser
  // in place of the chat.
  const { add } = attachments;
  useEffect(() => {
    const hasFiles = (event: globalThis.DragEvent) => event.dataTransfer?.types.includes('Files') ?? false;
    const onWindowDragOver = (event: globalThis.DragEvent) => {
      if (hasFiles(event)) event.preventDefault();
    };
    const onWindowDrop = (event: globalThis.DragEvent) => {
      if (event.defaultPrevented || !hasFiles(event)) return;
      event.preventDefault();
      add([...(event.dataTransfer?.files ?? [])]);
    };
    window.addEventListener('dragover', onWindowDragOver);
    window.addEventListener('drop', onWindowDrop);
    return () => {
      window.removeEventListener('dragover', onWindowDragOver);
      window.removeEventListener('drop', onWindowDrop);
    };
  }, [add]);
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
    <form
      onSubmit={onSubmit}
      onDragOver={onDragOver}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      className={`flex flex-wrap items-end gap-2 rounded-2xl border bg-surface p-2 shadow-sm focus-within:border-accent ${dragging ? 'border-accent border-dashed' : 'border-line'}`}
    >
      <PendingFiles files={attachments.files} onRemove={attachments.remove} />
      {refusedImages && (
        <p role="status" className="basis-full px-2 text-sm text-danger">
          {model.label} does not take images. Choose another model, or remove the images.
        </p>
      )}
      <textarea
        ref={inputRef}
        aria-label="Message"
        aria-keyshortcuts={ariaKeys('focusComposer')}
        placeholder="Ask anything"
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
        rows={1}
        autoFocus
        className="max-h-48 min-h-9 min-w-0 flex-1 basis-full resize-none sm:basis-0 bg-transparent px-2 py-1.5 leading-6 outline-none [field-sizing:content] placeholder:text-ink-muted"
      />
      <div className="flex w-full items-end gap-2 sm:w-auto">
        <input
          ref={picker}
          type="file"
          multiple
          accept={PICKER_ACCEPT}
          hidden
          onChange={(event) => {
            attachments.add([...(event.target.files ?? [])]);
            event.target.value = '';
          }}
        />
        <Button variant="ghost" aria-label="Attach files" title="Attach images, PDFs or text files" onClick={() => picker.current?.click()}>
          <PaperclipIcon />
        </Button>
        <span className="flex-1" />
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
          <Button type="submit" disabled={!canSend}>
            Send
          </Button>
        )}
      </div>
    </form>
  );
}
