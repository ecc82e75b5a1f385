'use client';

import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { useStreamingChat } from '@/hooks/use-streaming-chat';
import { mergeHistory, recordViewed, switchVersion, type BranchMessage } from '@/lib/chat/branches';
import type { ConversationSummary } from '@/lib/chat/conversation-summary';
import { messageText, type ChatMessage } from '@/lib/chat/message';
import { ariaKeys } from '@/lib/chat/shortcuts';
import { Composer } from './composer';
import { HeaderActions } from './header-actions';
import { useChatShortcuts } from './use-chat-shortcuts';
import { preloadMarkdown } from './lazy-markdown';
import { MessageList } from './message-list';
import { Sidebar } from './sidebar';

export interface ChatModel {
  id: string;
  label: string;
  offline: boolean;
  /** Whether it takes images; the composer refuses them for one that does not. */
  images: boolean;
}


interface ChatProps {
  /** The configured models, default first. */
  models: ChatModel[];
  /** The conversation's model (the default for a new chat). */
  initialModelId: string;
  conversationId: string;
  initialMessages?: ChatMessage[];
  /** Every stored version of every message, for the version switcher. */
  initialTree?: BranchMessage[];
  conversations: ConversationSummary[];
  /** The signed-in person's name; unset for a guest. */
  accountName?: string;
}

// Loaded when first opened: they are not part of the page's first load.
const ConversationInstructions = lazy(() => import('./conversation-instructions').then((module) => ({ default: module.ConversationInstructions })));
const SharePanel = lazy(() => import('./share-panel').then((module) => ({ default: module.SharePanel })));
const ShortcutsHelp = lazy(() => import('./shortcuts-help').then((module) => ({ default: module.ShortcutsHelp })));

export function Chat({ models, initialModelId, conversationId, initialMessages, initialTree, conversations, accountName }: ChatProps) {
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [sidebarCollapsed, setSidebarCollapsed] = useState(false);
  // One panel under the header at a time: the conversation's instructions, or a share link.
  const [panel, setPanel] = useState<'instructions' | 'share'>();
  const toggle = (which: 'instructions' | 'share') => setPanel((open) => (open === which ? undefined : which));
  const [modelId, setModelId] = useState(initialModelId);
  const model = models.find((m) => m.id === modelId) ?? models[0]!;
  const body = useMemo(() => ({ model: model.id }), [model.id]);
  const { messages, status, error, send, stop, regenerate, edit, setMessages } = useStreamingChat({ id: conversationId, initialMessages, body, resume: true });
  const busy = status === 'submitted' || status === 'streaming' || status === 'reconnecting';

  // Every version seen so far; updated as histories are shown (state derived from props).
  const [versions, setVersions] = useState(() => ({
    shown: messages,
    tree: mergeHistory(initialTree ?? [], messages),
    lastViewed: recordViewed(new Map(), messages),
  }));
  let { tree } = versions;
  if (versions.shown !== messages) {
    tree = mergeHistory(tree, messages);
    setVersions({ shown: messages, tree, lastViewed: recordViewed(versions.lastViewed, messages) });
  }
  // Read when a switch happens, so that the callback (a prop of every memoised message) is stable.
  const versionsRef = useRef(versions);
  useEffect(() => {
    versionsRef.current = versions;
  }, [versions]);
  const switchTo = useCallback(
    (messageId: string, step: number) => {
      const history = switchVersion(versionsRef.current.tree, messageId, step, versionsRef.current.lastViewed);
      if (!history) return;
      setMessages(history);
      const leaf = history.at(-1);
      if (leaf) {
        void fetch(`/api/conversations/${encodeURIComponent(conversationId)}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ activeLeafId: leaf.id }),
        });
      }
    },
    [conversationId, setMessages],
  );

  useEffect(preloadMarkdown, []);

  // A new chat gets its address on the first send, without a reload; Next's router follows
  // history.replaceState.
  const path = `/c/${encodeURIComponent(conversationId)}`;
  const started = messages.length > 0;
  useEffect(() => {
    if (started && window.location.pathname !== path) window.history.replaceState(null, '', path);
  }, [started, path]);

  // Each finished reply may have added or reordered a conversation.
  const finishedReplies = messages.filter((m) => m.role === 'assistant' && m.status !== 'streaming').length;

  const last = messages.at(-1);
  const { helpOpen, helpAsked, setHelpOpen, notice, composerRef, searchRef } = useChatShortcuts({
    busy,
    stop,
    lastAnswer: () => messages.findLast((m) => m.role === 'assistant'),
    showSidebar: (phone) => (phone ? setDrawerOpen(true) : setSidebarCollapsed(false)),
    toggleSidebar: (phone) => (phone ? setDrawerOpen((was) => !was) : setSidebarCollapsed((was) => !was)),
  });

  const announcement = !busy && last?.role === 'assistant' && last.status === 'done' ? messageText(last) : '';

  return (
    <div className="flex h-dvh">
      <Sidebar
        initial={conversations}
        activeId={conversationId}
        refreshKey={finishedReplies}
        open={drawerOpen}
        onClose={() => setDrawerOpen(false)}
        accountName={accountName}
        collapsed={sidebarCollapsed}
        searchRef={searchRef}
      />
      {helpOpen && (
        <Suspense>
          <ShortcutsHelp key={helpAsked} open onClose={() => setHelpOpen(false)} />
        </Suspense>
      )}
      <main className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center gap-3 border-b border-line px-4 py-2.5">
          <Button
            variant="ghost"
            className={`-ml-2 ${sidebarCollapsed ? '' : 'md:hidden'}`}
            aria-label="Conversations"
            aria-keyshortcuts={ariaKeys('toggleSidebar')}
            onClick={() => (sidebarCollapsed ? setSidebarCollapsed(false) : setDrawerOpen(true))}
          >
            ☰
          </Button>
          <h1 className="font-semibold tracking-tight">Runnel</h1>
          <span
            className={`rounded-full px-2 py-0.5 text-xs ${model.offline ? 'bg-amber-500/15 text-amber-700 dark:text-amber-300' : 'bg-surface-raised text-ink-muted'}`}
            title={model.offline ? 'No model provider is configured: answers come from a built-in demo.' : undefined}
          >
            {model.label}
          </span>
          {started && <HeaderActions conversationId={conversationId} onInstructions={() => toggle('instructions')} onShare={() => toggle('share')} />}
        </header>
        <Suspense>
          {started && panel === 'instructions' && <ConversationInstructions conversationId={conversationId} onClose={() => setPanel(undefined)} />}
          {started && panel === 'share' && <SharePanel conversationId={conversationId} onClose={() => setPanel(undefined)} />}
        </Suspense>

        {messages.length === 0 ? <EmptyState offline={model.offline} /> : <MessageList messages={messages} tree={tree} busy={busy} onSwitch={switchTo} onEdit={edit} onRegenerate={regenerate} />}

        <div className="mx-auto w-full max-w-3xl px-4 pb-4">
          {status === 'reconnecting' && (
            <p role="status" data-testid="reconnecting" className="mb-2 flex items-center gap-2 px-1 text-sm text-ink-muted">
              <span className="size-1.5 animate-pulse rounded-full bg-ink-muted" aria-hidden />
              Reconnecting…
            </p>
          )}
          {status === 'error' && (
            <div role="alert" className="mb-2 flex items-center gap-3 rounded-xl border border-danger/40 bg-danger/10 px-3 py-2 text-sm text-danger">
              <p className="flex-1">{error}</p>
              <Button variant="secondary" onClick={regenerate}>
                Retry
              </Button>
            </div>
          )}
          {notice && (
            <p role="status" className="mb-2 px-1 text-sm text-ink-muted">
              {notice}
            </p>
          )}
          <Composer busy={busy} onSend={send} onStop={stop} models={models} modelId={model.id} onModelChange={setModelId} inputRef={composerRef} />
        </div>

        <div aria-live="polite" className="sr-only">
          {announcement}
        </div>
      </main>
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
