'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type FormEvent, type Ref } from 'react';
import { Button } from '@/components/ui/button';
import type { ConversationSummary } from '@/lib/chat/conversation-summary';
import { ariaKeys } from '@/lib/chat/shortcuts';

interface SidebarProps {
  initial: ConversationSummary[];
  activeId: string;
  /** Changes whenever the list may have changed (a reply finished), to fetch it again. */
  refreshKey: number;
  /** On a phone the sidebar is a drawer: open or closed. */
  open: boolean;
  onClose(): void;
  /** The signed-in person's name; unset for a guest. */
  accountName?: string;
  /** Hidden on a wide screen (the shortcut that toggles it); a phone's drawer is `open` instead. */
  collapsed?: boolean;
  /** The search box, for the shortcut that focuses it. */
  searchRef?: Ref<HTMLInputElement>;
}

/** The identity's conversations, newest first: open, rename, delete, search. */
export function Sidebar({ initial, activeId, refreshKey, open, onClose, accountName, collapsed = false, searchRef }: SidebarProps) {
  const [items, setItems] = useState(initial);
  const [query, setQuery] = useState('');
  const firstRun = useRef(true);

  useEffect(() => {
    if (firstRun.current) {
      firstRun.current = false;
      return; // the server rendered the list
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      const search = query.trim() ? `?q=${encodeURIComponent(query.trim())}` : '';
      fetch(`/api/conversations${search}`, { signal: controller.signal })
        .then((response) => (response.ok ? (response.json() as Promise<{ conversations: ConversationSummary[] }>) : undefined))
        .then((data) => data && setItems(data.conversations))
        .catch(() => {}); // a failed refresh keeps the list as it was
    }, query ? 200 : 0);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query, refreshKey]);

  const remove = (id: string) => setItems((list) => list.filter((item) => item.id !== id));
  const rename = (id: string, title: string) => setItems((list) => list.map((item) => (item.id === id ? { ...item, title } : item)));

  return (
    <>
      {open && <div className="fixed inset-0 z-30 bg-black/40 md:hidden" onClick={onClose} aria-hidden />}
      <aside
        className={`${open ? 'fixed inset-y-0 left-0 z-40 flex shadow-xl' : 'hidden'} w-72 shrink-0 flex-col border-r border-line bg-surface-raised md:static ${collapsed ? 'md:hidden' : 'md:flex'} md:shadow-none`}
      >
        <div className="flex items-center gap-2 p-3">
          {/* A full load, not <Link>: after the chat's history.replaceState to /c/[id], Next's router
              still holds the new-chat page, and a soft navigation to "/" would reuse its state. */}
          {/* eslint-disable-next-line @next/next/no-html-link-for-pages */}
          <a href="/" aria-keyshortcuts={ariaKeys('newChat')} className="flex-1 rounded-lg border border-line bg-surface px-3 py-2 text-sm font-medium hover:bg-line/40">
            + New chat
          </a>
          <Button variant="ghost" className="md:hidden" aria-label="Close conversations" onClick={onClose}>
            ✕
          </Button>
        </div>
        <ImportButton />
        <div className="px-3 pb-2">
          <input
            ref={searchRef}
            type="search"
            aria-label="Search conversations"
            aria-keyshortcuts={ariaKeys('search')}
            placeholder="Search"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            className="w-full rounded-lg border border-line bg-surface px-3 py-1.5 text-sm outline-none focus:border-accent"
          />
        </div>
        <nav aria-label="Conversations" className="min-h-0 flex-1 overflow-y-auto px-2 pb-3">
          {items.length === 0 ? (
            <p className="px-2 py-4 text-sm text-ink-muted">{query ? 'Nothing matches.' : 'No conversations yet.'}</p>
          ) : (
            <ul className="space-y-0.5">
              {items.map((item) => (
                <ConversationItem key={item.id} item={item} active={item.id === activeId} onRenamed={rename} onDeleted={remove} onOpen={onClose} />
              ))}
            </ul>
          )}
        </nav>
        <div className="flex border-t border-line p-2">
          <Link href="/usage" className="flex-1 rounded-lg px-3 py-1.5 text-sm text-ink-muted hover:bg-line/40 hover:text-ink">
            Usage
          </Link>
          <Link href="/settings" className="flex-1 rounded-lg px-3 py-1.5 text-sm text-ink-muted hover:bg-line/40 hover:text-ink">
            API keys
          </Link>
          <Link
            href={accountName ? '/account' : '/sign-in'}
            title={accountName ? `Signed in as ${accountName}` : undefined}
            className="flex-1 truncate rounded-lg px-3 py-1.5 text-sm text-ink-muted hover:bg-line/40 hover:text-ink"
          >
            {accountName ? 'Account' : 'Sign in'}
          </Link>
        </div>
      </aside>
    </>
  );
}

/** Imports a Runnel JSON export as a new conversation and opens it. */
function ImportButton() {
  const router = useRouter();
  const [failure, setFailure] = useState<string>();
  const onFile = async (file: File | undefined) => {
    if (!file) return;
    setFailure(undefined);
    const response = await fetch('/api/conversations/import', { method: 'POST', headers: { 'content-type': 'application/json' }, body: await file.text() });
    const body = (await response.json().catch(() => ({}))) as { id?: string; error?: { message?: string } };
    if (!response.ok || !body.id) return setFailure(body.error?.message ?? 'That file could not be imported.');
    router.push(`/c/${encodeURIComponent(body.id)}`);
  };
  return (
    <div className="px-3 pb-2">
      <label className="block cursor-pointer rounded-lg px-3 py-1.5 text-sm text-ink-muted hover:bg-line/40 hover:text-ink">
        Import conversation (JSON)
        <input type="file" accept="application/json,.json" className="sr-only" onChange={(event) => void onFile(event.target.files?.[0])} />
      </label>
      {failure && (
        <p role="status" className="px-3 text-xs text-danger">
          {failure}
        </p>
      )}
    </div>
  );
}

interface ItemProps {
  item: ConversationSummary;
  active: boolean;
  onRenamed(id: string, title: string): void;
  onDeleted(id: string): void;
  onOpen(): void;
}

function ConversationItem({ item, active, onRenamed, onDeleted, onOpen }: ItemProps) {
  const router = useRouter();
  const [mode, setMode] = useState<'view' | 'rename' | 'confirm-delete'>('view');
  const [title, setTitle] = useState(item.title);
  const [failure, setFailure] = useState<string>();
  const [deleting, setDeleting] = useState(false);
  const url = `/api/conversations/${encodeURIComponent(item.id)}`;

  const saveTitle = async (event: FormEvent) => {
    event.preventDefault();
    const response = await fetch(url, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title }) });
    if (!response.ok) return setFailure('Could not rename it.');
    onRenamed(item.id, title.trim());
    setMode('view');
  };
  const confirmDelete = async () => {
    setDeleting(true);
    const response = await fetch(url, { method: 'DELETE' }).catch(() => undefined);
    setDeleting(false);
    if (!response?.ok) return setFailure('Could not delete it.');
    onDeleted(item.id);
    if (active) router.push('/');
  };

  if (mode === 'rename') {
    return (
      <li>
        <form onSubmit={saveTitle} className="flex gap-1 p-1">
          <input
            aria-label="Conversation title"
            autoFocus
            value={title}
            maxLength={200}
            onChange={(event) => setTitle(event.target.value)}
            onKeyDown={(event) => event.key === 'Escape' && setMode('view')}
            className="min-w-0 flex-1 rounded-md border border-line bg-surface px-2 py-1 text-sm"
          />
          <Button type="submit" className="h-8">
            Save
          </Button>
        </form>
        {failure && <p className="px-2 text-xs text-danger">{failure}</p>}
      </li>
    );
  }
  if (mode === 'confirm-delete') {
    return (
      <li className="rounded-lg border border-danger/40 p-2 text-sm">
        <p>Delete “{item.title}”? This cannot be undone.</p>
        <div className="mt-2 flex gap-2">
          <Button className="h-8 bg-danger! text-white" onClick={confirmDelete} disabled={deleting}>
            {deleting ? 'Deleting…' : 'Delete'}
          </Button>
          <Button variant="ghost" className="h-8" onClick={() => setMode('view')}>
            Cancel
          </Button>
        </div>
        {failure && <p className="mt-1 text-xs text-danger">{failure}</p>}
      </li>
    );
  }
  return (
    <li className={`group flex items-center rounded-lg ${active ? 'bg-line/70' : 'hover:bg-line/40'}`}>
      <Link href={`/c/${encodeURIComponent(item.id)}`} aria-current={active ? 'page' : undefined} onClick={onOpen} className="min-w-0 flex-1 truncate px-3 py-2 text-sm">
        {item.title}
      </Link>
      <div className="flex opacity-100 md:opacity-0 md:group-focus-within:opacity-100 md:group-hover:opacity-100">
        <button type="button" aria-label={`Rename ${item.title}`} onClick={() => setMode('rename')} className="rounded p-1.5 text-ink-muted hover:text-ink">
          ✎
        </button>
        <button type="button" aria-label={`Delete ${item.title}`} onClick={() => setMode('confirm-delete')} className="rounded p-1.5 text-ink-muted hover:text-danger">
          🗑
        </button>
      </div>
    </li>
  );
}
