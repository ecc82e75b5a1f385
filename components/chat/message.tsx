'use client';

import { memo, useState, type KeyboardEvent } from 'react';
import { Button } from '@/components/ui/button';
import { attachmentsOf, messageText, partText, type ChatMessage, type MessageStatus } from '@/lib/chat/message';
import { usagePhrases } from '@/lib/chat/usage-line';
import { MessageFiles } from './attachments';
import { LazyMarkdown } from './lazy-markdown';

export interface MessageActions {
  /** Shows the previous (-1) or next (+1) version of a message. */
  onSwitch(messageId: string, step: number): void;
  onEdit(messageId: string, text: string): void;
  onRegenerate(): void;
}

interface MessageProps extends MessageActions {
  message: ChatMessage;
  /** Which version of this message is shown (0-based), of how many. */
  version: number;
  versions: number;
  canRegenerate: boolean;
}

/** One message. Memoised: while a reply streams, only the streaming message re-renders. */
export const Message = memo(function Message(props: MessageProps) {
  return props.message.role === 'user' ? <UserMessage {...props} /> : <AssistantMessage {...props} />;
});

function UserMessage({ message, version, versions, onSwitch, onEdit }: MessageProps) {
  const [draft, setDraft] = useState<string>();
  const text = messageText(message);
  if (draft !== undefined) {
    const submit = () => {
      if (draft.trim() && draft !== text) onEdit(message.id, draft);
      setDraft(undefined);
    };
    const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
      if (event.key === 'Escape') setDraft(undefined);
      if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
        event.preventDefault();
        submit();
      }
    };
    return (
      <div className="ml-auto w-full max-w-[85%] rounded-2xl border border-accent p-2">
        <textarea
          aria-label="Edit message"
          autoFocus
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onKeyDown}
          className="w-full resize-none bg-transparent px-2 py-1 leading-7 outline-none [field-sizing:content]"
        />
        <div className="flex justify-end gap-2">
          <Button variant="ghost" onClick={() => setDraft(undefined)}>
            Cancel
          </Button>
          <Button onClick={submit}>Send</Button>
        </div>
      </div>
    );
  }
  return (
    <div className="group ml-auto flex max-w-[85%] flex-col items-end gap-1">
      <MessageFiles files={attachmentsOf(message)} />
      {text && (
        <div data-role="user" className="rounded-2xl bg-surface-raised px-4 py-2.5 leading-7 whitespace-pre-wrap break-words">
          {text}
        </div>
      )}
      <div className="flex items-center gap-1 text-xs text-ink-muted">
        <VersionSwitcher id={message.id} version={version} versions={versions} onSwitch={onSwitch} />
        <button type="button" onClick={() => setDraft(text)} className="rounded px-2 py-1 hover:bg-surface-raised hover:text-ink">
          Edit
        </button>
      </div>
    </div>
  );
}

function AssistantMessage({ message, version, versions, canRegenerate, onSwitch, onRegenerate }: MessageProps) {
  const status = message.status ?? 'done';
  const streaming = status === 'streaming';
  const empty = message.parts.every((part) => !partText(part));
  return (
    <article data-role="assistant" data-status={status} aria-busy={streaming} className="min-w-0 break-words">
      {message.parts.map((part, index) =>
        part.type === 'file' ? null : part.type === 'reasoning' ? (
          <details key={index} className="mb-3 rounded-lg border border-line px-3 py-2 text-sm text-ink-muted">
            <summary className="cursor-pointer select-none">{streaming && part.state === 'streaming' ? 'Thinking…' : 'Reasoning'}</summary>
            <p className="mt-2 whitespace-pre-wrap">{part.text}</p>
          </details>
        ) : (
          <LazyMarkdown key={index} text={part.text} streaming={streaming && part.state === 'streaming'} />
        ),
      )}
      {streaming && empty && <TypingIndicator />}
      <footer className="mt-2 flex flex-wrap items-center gap-1 text-xs text-ink-muted">
        <VersionSwitcher id={message.id} version={version} versions={versions} onSwitch={onSwitch} />
        <MessageNotes message={message} status={status} />
        {canRegenerate && (
          <button type="button" onClick={onRegenerate} className="rounded px-2 py-1 hover:bg-surface-raised hover:text-ink">
            Regenerate
          </button>
        )}
      </footer>
    </article>
  );
}

/** "‹ 2 / 3 ›": moves between the versions of a message (regenerated answers, edited questions). */
function VersionSwitcher({ id, version, versions, onSwitch }: { id: string; version: number; versions: number; onSwitch: MessageActions['onSwitch'] }) {
  if (versions < 2) return null;
  return (
    <span className="inline-flex items-center" role="group" aria-label="Versions">
      <button type="button" aria-label="Previous version" disabled={version === 0} onClick={() => onSwitch(id, -1)} className="rounded px-1.5 py-1 hover:text-ink disabled:opacity-40">
        ‹
      </button>
      <span className="tabular-nums">
        {version + 1} / {versions}
      </span>
      <button type="button" aria-label="Next version" disabled={version === versions - 1} onClick={() => onSwitch(id, +1)} className="rounded px-1.5 py-1 hover:text-ink disabled:opacity-40">
        ›
      </button>
    </span>
  );
}

function TypingIndicator() {
  return (
    <span className="inline-flex gap-1 py-2" aria-label="Waiting for the reply">
      {[0, 150, 300].map((delay) => (
        <span key={delay} className="size-1.5 animate-bounce rounded-full bg-ink-muted" style={{ animationDelay: `${delay}ms` }} />
      ))}
    </span>
  );
}

const STATUS_NOTES: Partial<Record<MessageStatus, string>> = {
  stopped: 'Stopped',
  error: 'Failed',
  interrupted: 'Interrupted: the server restarted while this reply was being written',
};

function MessageNotes({ message, status }: { message: ChatMessage; status: MessageStatus }) {
  const label = message.metadata?.modelLabel ?? message.metadata?.model;
  const notes = [label, STATUS_NOTES[status]].filter(Boolean);
  const usage = status === 'streaming' ? [] : usagePhrases(message.metadata);
  if (notes.length === 0 && usage.length === 0) return null;
  return (
    <>
      {notes.length > 0 && <span className="px-1">{notes.join(' · ')}</span>}
      {usage.length > 0 && (
        <span data-testid="usage" className="px-1 tabular-nums" title={message.metadata?.usage?.estimated ? 'Token counts marked ~ are estimated: the provider reported none for this reply.' : undefined}>
          {usage.join(' · ')}
        </span>
      )}
    </>
  );
}
