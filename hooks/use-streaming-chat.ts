'use client';

import { startTransition, useCallback, useEffect, useRef, useState } from 'react';
import { MessageDraft, type ChatMessage } from '@/lib/chat/message';
import { MalformedEventError, readUIMessageChunks, StreamEndedError } from '@/lib/sse/reader';

export type ChatStatus = 'ready' | 'submitted' | 'streaming' | 'error';

export interface UseStreamingChatOptions {
  /** The endpoint: Runnel's own, or any AI SDK v6 UI message stream route. */
  api?: string;
  /** The conversation id sent as `id`. */
  id?: string;
  initialMessages?: ChatMessage[];
  /** Extra fields merged into every request body (e.g. `{ model }`). */
  body?: Record<string, unknown>;
  /** How often streamed text is rendered, at most. */
  renderIntervalMs?: number;
}

export interface StreamingChat {
  messages: ChatMessage[];
  status: ChatStatus;
  /** The last failure, in words fit for the person. */
  error: string | undefined;
  send(text: string): void;
  stop(): void;
  /** Asks again for the last answer (also the way to retry after an error). */
  regenerate(): void;
  /** Sends `text` in place of an earlier user message; what followed it is left out of the history. */
  edit(messageId: string, text: string): void;
  /** Shows another history (another branch of the conversation); stops a reply in flight. */
  setMessages(messages: ChatMessage[]): void;
}

interface ActiveRequest {
  controller: AbortController;
  draft: MessageDraft;
}

const newId = () => Math.random().toString(36).slice(2, 12) + Date.now().toString(36);

/**
 * A chat against a UI message stream endpoint, read by hand with fetch + ReadableStream +
 * TextDecoder. One AbortController per request: stop(), a new send, unmount and leaving the page
 * abort it, which makes the server cancel the upstream request.
 */
export function useStreamingChat(options: UseStreamingChatOptions = {}): StreamingChat {
  const { api = '/api/chat', renderIntervalMs = 50 } = options;
  const [messages, setMessages] = useState<ChatMessage[]>(options.initialMessages ?? []);
  const [status, setStatus] = useState<ChatStatus>('ready');
  const [error, setError] = useState<string>();

  // The source of truth between renders; state is its rendered copy.
  const messagesRef = useRef(messages);
  const activeRef = useRef<ActiveRequest | null>(null);
  const chatIdRef = useRef(options.id ?? newId());
  const bodyRef = useRef(options.body);
  useEffect(() => {
    bodyRef.current = options.body;
  }, [options.body]);

  const commit = useCallback((next: ChatMessage[]) => {
    messagesRef.current = next;
    setMessages(next);
  }, []);

  // Streamed text renders as a transition: a key press or click interrupts it instead of waiting.
  const render = useRenderThrottle(renderIntervalMs, () => {
    const active = activeRef.current;
    if (active) startTransition(() => commit(replaceLast(messagesRef.current, active.draft.snapshot())));
  });

  /** Ends the active request, if any, as stopped, keeping what arrived. */
  const halt = useCallback(() => {
    const active = activeRef.current;
    if (!active) return;
    activeRef.current = null;
    active.controller.abort();
    active.draft.settle('stopped');
    render.cancel();
    commit(replaceLast(messagesRef.current, active.draft.snapshot()));
    setStatus('ready');
  }, [commit, render]);

  const run = useCallback(
    // Callers halt the previous request first, so that its partial answer is part of `history`.
    async (history: ChatMessage[], trigger: 'submit-message' | 'regenerate-message', messageId?: string) => {
      const active: ActiveRequest = { controller: new AbortController(), draft: new MessageDraft(newId()) };
      activeRef.current = active;
      const isCurrent = () => activeRef.current === active;
      commit([...history, active.draft.snapshot()]);
      setStatus('submitted');
      setError(undefined);

      try {
        const response = await fetch(api, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...bodyRef.current, id: chatIdRef.current, messages: history.map(toWire), trigger, messageId }),
          signal: active.controller.signal,
        });
        if (!response.ok || !response.body) throw new HttpError(await errorMessageOf(response));
        if (isCurrent()) setStatus('streaming');
        for await (const { chunks } of readUIMessageChunks(response.body)) {
          if (!isCurrent()) return;
          for (const chunk of chunks) active.draft.apply(chunk);
          render.schedule();
        }
        active.draft.settle('done');
      } catch (failure) {
        if (!isCurrent() || active.controller.signal.aborted) return;
        active.draft.fail(describeFailure(failure));
      }
      if (!isCurrent()) return;
      activeRef.current = null;
      render.cancel();
      commit(replaceLast(messagesRef.current, active.draft.snapshot()));
      setStatus(active.draft.status === 'error' ? 'error' : 'ready');
      setError(active.draft.error);
    },
    [api, commit, render],
  );

  const send = useCallback(
    (text: string) => {
      if (!text.trim()) return;
      halt();
      const user: ChatMessage = { id: newId(), role: 'user', parts: [{ type: 'text', text }] };
      void run([...messagesRef.current, user], 'submit-message');
    },
    [halt, run],
  );

  const regenerate = useCallback(() => {
    halt();
    const list = messagesRef.current;
    const lastUser = list.findLastIndex((m) => m.role === 'user');
    if (lastUser === -1) return;
    const replaced = list[lastUser + 1];
    void run(list.slice(0, lastUser + 1), 'regenerate-message', replaced?.id);
  }, [halt, run]);

  const edit = useCallback(
    (messageId: string, text: string) => {
      if (!text.trim()) return;
      halt();
      const index = messagesRef.current.findIndex((m) => m.id === messageId);
      if (index === -1) return;
      const user: ChatMessage = { id: newId(), role: 'user', parts: [{ type: 'text', text }] };
      void run([...messagesRef.current.slice(0, index), user], 'submit-message');
    },
    [halt, run],
  );

  const replaceMessages = useCallback(
    (next: ChatMessage[]) => {
      halt();
      commit(next);
      setError(undefined);
    },
    [commit, halt],
  );

  // Leaving (unmount, client navigation, closing or hiding the page for good) cancels the reply.
  useEffect(() => {
    const onPageHide = (event: PageTransitionEvent) => {
      if (!event.persisted) activeRef.current?.controller.abort();
    };
    window.addEventListener('pagehide', onPageHide);
    return () => {
      window.removeEventListener('pagehide', onPageHide);
      activeRef.current?.controller.abort();
      activeRef.current = null;
    };
  }, []);

  return { messages, status, error, send, stop: halt, regenerate, edit, setMessages: replaceMessages };
}

/**
 * Coalesces renders to at most one per interval. Timers, not requestAnimationFrame, which stops
 * in background tabs and would leave a hidden tab's reply unrendered until it is shown again.
 */
function useRenderThrottle(intervalMs: number, flush: () => void) {
  const flushRef = useRef(flush);
  useEffect(() => {
    flushRef.current = flush;
  });
  const [throttle] = useState(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = 0;
    const run = () => {
      timer = undefined;
      last = performance.now();
      flushRef.current();
    };
    return {
      schedule() {
        if (timer === undefined) timer = setTimeout(run, Math.max(0, last + intervalMs - performance.now()));
      },
      cancel() {
        clearTimeout(timer);
        timer = undefined;
      },
    };
  });
  return throttle;
}

function replaceLast(list: ChatMessage[], message: ChatMessage): ChatMessage[] {
  return [...list.slice(0, -1), message];
}

/** The UIMessage shape AI SDK servers validate. */
function toWire({ id, role, parts, metadata }: ChatMessage) {
  return { id, role, parts, ...(metadata ? { metadata } : {}) };
}

class HttpError extends Error {}

async function errorMessageOf(response: Response): Promise<string> {
  const fallback = `The server answered ${response.status} ${response.statusText}`.trim() + '.';
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string };
    const message = typeof body.error === 'string' ? body.error : body.error?.message;
    if (typeof message === 'string' && message) return message;
  } catch {
    // Not JSON: AI SDK servers may answer with plain text.
  }
  return text && text.length < 300 ? text : fallback;
}

function describeFailure(failure: unknown): string {
  if (failure instanceof HttpError || failure instanceof StreamEndedError || failure instanceof MalformedEventError) {
    return failure.message;
  }
  if (failure instanceof TypeError) return 'Could not reach the server. Check your connection and retry.';
  return 'Something went wrong while reading the reply.';
}
