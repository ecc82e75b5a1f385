'use client';

import { memo } from 'react';
import { messageText, type ChatMessage, type MessageStatus } from '@/lib/chat/message';
import { LazyMarkdown } from './lazy-markdown';

/** One message. Memoised: while a reply streams, only the streaming message re-renders. */
export const Message = memo(function Message({ message }: { message: ChatMessage }) {
  if (message.role === 'user') {
    return (
      <div data-role="user" className="ml-auto max-w-[85%] rounded-2xl bg-surface-raised px-4 py-2.5 leading-7 whitespace-pre-wrap break-words">
        {messageText(message)}
      </div>
    );
  }
  const status = message.status ?? 'done';
  const streaming = status === 'streaming';
  const empty = message.parts.every((part) => !part.text);
  return (
    <article data-role="assistant" data-status={status} aria-busy={streaming} className="min-w-0 break-words">
      {message.parts.map((part, index) =>
        part.type === 'reasoning' ? (
          <details key={index} className="mb-3 rounded-lg border border-line px-3 py-2 text-sm text-ink-muted">
            <summary className="cursor-pointer select-none">Reasoning</summary>
            <p className="mt-2 whitespace-pre-wrap">{part.text}</p>
          </details>
        ) : (
          <LazyMarkdown key={index} text={part.text} streaming={streaming && part.state === 'streaming'} />
        ),
      )}
      {streaming && empty && <TypingIndicator />}
      <MessageFooter message={message} status={status} />
    </article>
  );
});

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

function MessageFooter({ message, status }: { message: ChatMessage; status: MessageStatus }) {
  const label = message.metadata?.modelLabel ?? message.metadata?.model;
  const notes = [label, STATUS_NOTES[status]].filter(Boolean);
  if (notes.length === 0) return null;
  return <p className="mt-2 text-xs text-ink-muted">{notes.join(' · ')}</p>;
}
