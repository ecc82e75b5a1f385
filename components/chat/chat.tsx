'use client';

import Link from 'next/link';
import { useEffect, useMemo } from 'react';
import { Button } from '@/components/ui/button';
import { useStreamingChat } from '@/hooks/use-streaming-chat';
import { messageText, type ChatMessage } from '@/lib/chat/message';
import { Composer } from './composer';
import { preloadMarkdown } from './lazy-markdown';
import { MessageList } from './message-list';

export interface ChatModel {
  id: string;
  label: string;
  offline: boolean;
}

interface ChatProps {
  model: ChatModel;
  conversationId: string;
  initialMessages?: ChatMessage[];
}

export function Chat({ model, conversationId, initialMessages }: ChatProps) {
  const body = useMemo(() => ({ model: model.id }), [model.id]);
  const { messages, status, error, send, stop, regenerate } = useStreamingChat({ id: conversationId, initialMessages, body });
  const busy = status === 'submitted' || status === 'streaming';

  useEffect(preloadMarkdown, []);

  // A new chat gets its address on the first send, without a reload; Next's router follows
  // history.replaceState.
  const path = `/c/${encodeURIComponent(conversationId)}`;
  const started = messages.length > 0;
  useEffect(() => {
    if (started && window.location.pathname !== path) window.history.replaceState(null, '', path);
  }, [started, path]);

  const last = messages.at(-1);
  const announcement = !busy && last?.role === 'assistant' && last.status === 'done' ? messageText(last) : '';

  return (
    <div className="flex h-dvh flex-col">
      <header className="flex items-center gap-3 border-b border-line px-4 py-2.5">
        <h1 className="font-semibold tracking-tight">
          <Link href="/">Runnel</Link>
        </h1>
        <span
          className={`rounded-full px-2 py-0.5 text-xs ${model.offline ? 'bg-amber-500/15 text-amber-700 dark:text-amber-300' : 'bg-surface-raised text-ink-muted'}`}
          title={model.offline ? 'No model provider is configured: answers come from a built-in demo.' : undefined}
        >
          {model.label}
        </span>
        <Link href="/" className="ml-auto rounded-lg px-3 py-1.5 text-sm text-ink-muted hover:bg-surface-raised hover:text-ink">
          New chat
        </Link>
      </header>

      {messages.length === 0 ? <EmptyState offline={model.offline} /> : <MessageList messages={messages} />}

      <div className="mx-auto w-full max-w-3xl px-4 pb-4">
        {status === 'error' && (
          <div role="alert" className="mb-2 flex items-center gap-3 rounded-xl border border-danger/40 bg-danger/10 px-3 py-2 text-sm text-danger">
            <p className="flex-1">{error}</p>
            <Button variant="secondary" onClick={regenerate}>
              Retry
            </Button>
          </div>
        )}
        <Composer busy={busy} onSend={send} onStop={stop} />
      </div>

      <div aria-live="polite" className="sr-only">
        {announcement}
      </div>
    </div>
  );
}

function EmptyState({ offline }: { offline: boolean }) {
  return (
    <div className="flex flex-1 flex-col items-center justify-center gap-2 px-6 text-center">
      <p className="text-2xl font-semibold tracking-tight">What can I help with?</p>
      {offline && (
        <p className="max-w-md text-sm text-ink-muted">
          No model provider is configured, so the <strong>Offline demo</strong> model will answer. Set <code>OPENAI_API_KEY</code> or{' '}
          <code>OPENAI_BASE_URL</code> to use a real model.
        </p>
      )}
    </div>
  );
}
