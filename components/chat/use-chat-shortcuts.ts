'use client';

import { useEffect, useRef, useState } from 'react';
import { useShortcuts } from '@/hooks/use-shortcuts';
import { messageText, type ChatMessage } from '@/lib/chat/message';

interface ChatShortcutsOptions {
  busy: boolean;
  stop(): void;
  lastAnswer(): ChatMessage | undefined;
  /** `phone`: the sidebar is a drawer on this screen. */
  showSidebar(phone: boolean): void;
  toggleSidebar(phone: boolean): void;
}

const onPhone = () => !window.matchMedia('(min-width: 768px)').matches;

/** The chat's keyboard shortcuts (lib/chat/shortcuts.ts), and the state they show: the help dialog, a short notice. */
export function useChatShortcuts({ busy, stop, lastAnswer, showSidebar, toggleSidebar }: ChatShortcutsOptions) {
  const [helpOpen, setHelpOpen] = useState(false);
  // Each request for the help counts: one that comes while the dialog is still closing (its close
  // not yet rendered) opens a fresh dialog rather than being lost to the one going away.
  const [helpAsked, setHelpAsked] = useState(0);
  const [notice, setNotice] = useState('');
  const [searchAsked, setSearchAsked] = useState(0);
  const composerRef = useRef<HTMLTextAreaElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);

  // Focused once the sidebar it is in is shown.
  useEffect(() => {
    if (searchAsked) searchRef.current?.focus();
  }, [searchAsked]);
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(''), 3000);
    return () => clearTimeout(timer);
  }, [notice]);

  useShortcuts({
    // A full load, as the sidebar's "New chat" does (Next's router still holds the new-chat page
    // after the chat's history.replaceState, and a soft navigation would reuse its state).
    // eslint-disable-next-line @next/next/no-location-assign-relative-destination
    newChat: () => window.location.assign('/'),
    focusComposer: () => composerRef.current?.focus(),
    stop: () => {
      if (!busy) return false;
      stop();
    },
    copyLast: () => {
      const answer = lastAnswer();
      if (!answer) return false;
      navigator.clipboard.writeText(messageText(answer)).then(
        () => setNotice('Copied the last answer.'),
        () => setNotice('Could not copy: the browser did not allow it.'),
      );
    },
    search: () => {
      showSidebar(onPhone());
      setSearchAsked((n) => n + 1);
    },
    toggleSidebar: () => toggleSidebar(onPhone()),
    help: () => {
      setHelpOpen(true);
      setHelpAsked((n) => n + 1);
    },
  });

  return { helpOpen, helpAsked, setHelpOpen, notice, composerRef, searchRef };
}
