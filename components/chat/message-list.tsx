'use client';

import { StickToBottom, useStickToBottomContext } from 'use-stick-to-bottom';
import { versionOf, type BranchMessage } from '@/lib/chat/branches';
import type { ChatMessage } from '@/lib/chat/message';
import { Message, type MessageActions } from './message';

/**
 * Follows a growing reply, but once the reader scrolls up it stays where they put it. Growth is
 * followed instantly: a smooth spring animates every frame for the whole answer, repainting the
 * page 60 times a second (measured: most of the main thread's time while streaming).
 */
interface MessageListProps extends MessageActions {
  messages: ChatMessage[];
  tree: BranchMessage[];
  busy: boolean;
}

export function MessageList({ messages, tree, busy, ...actions }: MessageListProps) {
  return (
    <StickToBottom className="relative min-h-0 flex-1" initial="instant" resize="instant">
      {/* An opaque scroller can be scrolled by the compositor instead of being repainted whole. */}
      <StickToBottom.Content scrollClassName="bg-surface" className="mx-auto flex w-full max-w-3xl flex-col gap-6 px-4 py-6">
        {messages.map((message, index) => {
          const { index: version, count: versions } = versionOf(tree, message.id);
          const isLastAnswer = index === messages.length - 1 && message.role === 'assistant';
          return (
            <Message
              key={message.id}
              message={message}
              version={version}
              versions={versions}
              canRegenerate={isLastAnswer && !busy}
              {...actions}
            />
          );
        })}
      </StickToBottom.Content>
      <JumpToLatest />
    </StickToBottom>
  );
}

function JumpToLatest() {
  const { isAtBottom, scrollToBottom } = useStickToBottomContext();
  if (isAtBottom) return null;
  return (
    <button
      type="button"
      onClick={() => void scrollToBottom()}
      className="absolute bottom-3 left-1/2 -translate-x-1/2 rounded-full border border-line bg-surface px-3 py-1 text-sm shadow"
    >
      Jump to latest ↓
    </button>
  );
}
