'use client';

import { startTransition, useCallback, useEffect, useRef, useState } from 'react';
import { attachmentsOf, MessageDraft, type AttachmentPart, type ChatMessage, type ChatPart } from '@/lib/chat/message';
import {
  CONNECTION_LOST_MESSAGE,
  GRACE_HEADER,
  isConnectionLoss,
  REQUEST_ID_HEADER,
  sendStopRequest,
  waitToReconnect,
} from '@/lib/chat/reconnect';
import { MalformedEventError, readUIMessageChunks, StreamEndedError } from '@/lib/sse/reader';

/** `reconnecting`: the connection was lost mid-answer and the hook is getting back to it. */
export type ChatStatus = 'ready' | 'submitted' | 'streaming' | 'reconnecting' | 'error';

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
  /**
   * Runnel's backend only: a lost connection is reconnected to (`${api}/${id}/stream`, from the
   * last event received), a reply in progress when the page opens is followed live, and Stop or
   * leaving tells the server explicitly (`${api}/${id}/stop`).
   */
  resume?: boolean;
}

export interface StreamingChat {
  messages: ChatMessage[];
  status: ChatStatus;
  /** The last failure, in words fit for the person. */
  error: string | undefined;
  /** Sends a message: its text, and files already uploaded (POST /api/attachments answers their parts). */
  send(text: string, files?: AttachmentPart[]): void;
  stop(): void;
  /** Asks again for the last answer (also the way to retry after an error). */
  regenerate(): void;
  /** Sends `text` in place of an earlier user message, with its files; what followed it is left out of the history. */
  edit(messageId: string, text: string): void;
  /** Shows another history (another branch of the conversation); stops a reply in flight. */
  setMessages(messages: ChatMessage[]): void;
}

interface ActiveRequest {
  controller: AbortController;
  draft: MessageDraft;
  /** Names the request to the server, for resume and stop. */
  requestId: string;
  /** Whether this page started the reply (so leaving the page stops it), or only follows it. */
  owned: boolean;
  /** A `start` chunk arrived: the next one begins a replay of the whole message. */
  started: boolean;
  /** Where a reconnect resumes from. */
  lastEventId?: string;
  /** How long the server keeps the reply for a lost reader; 0: it does not. */
  graceMs: number;
  /** Ends the current connection only, not the reply (the browser went offline). */
  connection: AbortController;
}

const newId = () => Math.random().toString(36).slice(2, 12) + Date.now().toString(36);

/**
 * A chat against a UI message stream endpoint, read by hand with fetch + ReadableStream +
 * TextDecoder. One AbortController per request: stop(), a new send, unmount and leaving the page
 * abort it, which makes the server cancel the upstream request (with `resume`, through an
 * explicit stop request, since the connection's end alone then means a lost connection).
 */
export function useStreamingChat(options: UseStreamingChatOptions = {}): StreamingChat {
  const { api = '/api/chat', renderIntervalMs = 50, resume = false } = options;
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
  const replyUrl = useCallback((action: 'stream' | 'stop') => `${api}/${encodeURIComponent(chatIdRef.current)}/${action}`, [api]);
  /** Where a reply is read again: the resume endpoint, naming the reply. */
  const resumeUrl = useCallback((messageId: string) => `${replyUrl('stream')}?message=${encodeURIComponent(messageId)}`, [replyUrl]);

  const commit = useCallback((next: ChatMessage[]) => {
    messagesRef.current = next;
    setMessages(next);
  }, []);

  // Streamed text renders as a transition: a key press or click interrupts it instead of waiting.
  const render = useRenderThrottle(renderIntervalMs, () => {
    const active = activeRef.current;
    if (active) startTransition(() => commit(replaceLast(messagesRef.current, active.draft.snapshot())));
  });

  /** Tells a resumable server that the person stopped the reply (its connection's end would not). */
  const requestStop = useCallback(
    (active: ActiveRequest) => {
      if (!resume) return;
      sendStopRequest(replyUrl('stop'), active.started ? { requestId: active.requestId, messageId: active.draft.id } : { requestId: active.requestId });
    },
    [resume, replyUrl],
  );

  /** Ends the active request, if any, as stopped, keeping what arrived. */
  const halt = useCallback(() => {
    const active = activeRef.current;
    if (!active) return;
    activeRef.current = null;
    active.controller.abort();
    requestStop(active);
    active.draft.settle('stopped');
    render.cancel();
    commit(replaceLast(messagesRef.current, active.draft.snapshot()));
    setStatus('ready');
  }, [commit, render, requestStop]);

  /** Applies a response's chunks to the active reply; throws if the connection ends before the reply does. */
  const readReply = useCallback(
    async (body: ReadableStream<Uint8Array>, active: ActiveRequest) => {
      for await (const { chunks, lastEventId } of readUIMessageChunks(body)) {
        if (activeRef.current !== active) return;
        for (const chunk of chunks) {
          // A second `start`: the server replays the whole message (a follow, or a saved copy).
          if (chunk.type === 'start' && active.started) active.draft = new MessageDraft(active.draft.id);
          if (chunk.type === 'start') active.started = true;
          active.draft.apply(chunk);
        }
        active.lastEventId = lastEventId ?? active.lastEventId;
        render.schedule();
      }
    },
    [render],
  );

  /**
   * Gets back to a reply whose connection was lost: from the last event received, with backoff
   * and jitter (at once when the browser comes back online), for as long as the server keeps the
   * reply. Returns whether it was reached again.
   */
  const reconnect = useCallback(
    async (active: ActiveRequest): Promise<boolean> => {
      const deadline = Date.now() + active.graceMs;
      const { signal } = active.controller;
      for (let attempt = 0; ; attempt++) {
        setStatus('reconnecting');
        await waitToReconnect(attempt, deadline, signal);
        if (signal.aborted) return true;
        if (Date.now() >= deadline) return false;
        const url = resumeUrl(active.draft.id);
        const heldBefore = active.lastEventId;
        try {
          const headers: Record<string, string> = active.lastEventId ? { 'last-event-id': active.lastEventId } : {};
          const response = await fetch(url, { headers, signal: newConnection(active) });
          if (response.status === 204 || response.status === 404) return false;
          if (!response.ok || !response.body) continue;
          setStatus('streaming');
          await readReply(response.body, active);
          return true;
        } catch (failure) {
          if (signal.aborted) return true;
          if (!isConnectionLoss(failure, active.connection.signal)) throw failure;
          // It got further before dropping again: the network works, start the backoff over.
          if (active.lastEventId !== heldBefore) attempt = -1;
        }
      }
    },
    [readReply, resumeUrl],
  );

  /** Shows how the active reply ended. A followed reply that never started leaves the message as it was. */
  const finish = useCallback(
    (active: ActiveRequest) => {
      if (activeRef.current !== active) return;
      activeRef.current = null;
      render.cancel();
      if (active.owned || active.started) commit(replaceLast(messagesRef.current, active.draft.snapshot()));
      setStatus(active.draft.status === 'error' ? 'error' : 'ready');
      setError(active.draft.error);
    },
    [commit, render],
  );

  /** Reads a reply to the end, reconnecting when allowed, and shows how it ended. */
  const follow = useCallback(
    async (active: ActiveRequest, response: (signal: AbortSignal) => Promise<Response>) => {
      const isCurrent = () => activeRef.current === active;
      try {
        const answer = await response(newConnection(active));
        if (answer.status === 204) return finish(active);
        if (!answer.ok || !answer.body) throw new HttpError(await errorMessageOf(answer));
        active.graceMs = resume ? Number(answer.headers.get(GRACE_HEADER)) || 0 : 0;
        if (isCurrent()) setStatus('streaming');
        await readReply(answer.body, active);
        active.draft.settle('done');
      } catch (failure) {
        if (!isCurrent() || active.controller.signal.aborted) return;
        const resumable = active.started && active.graceMs > 0 && isConnectionLoss(failure, active.connection.signal);
        const reached = resumable && (await reconnect(active).catch(() => false));
        if (!isCurrent() || active.controller.signal.aborted) return;
        if (reached) active.draft.settle('done');
        else active.draft.fail(resumable ? CONNECTION_LOST_MESSAGE : describeFailure(failure));
      }
      finish(active);
    },
    [finish, readReply, reconnect, resume],
  );

  const run = useCallback(
    // Callers halt the previous request first, so that its partial answer is part of `history`.
    (history: ChatMessage[], trigger: 'submit-message' | 'regenerate-message', messageId?: string) => {
      const active = newActiveRequest(new MessageDraft(newId()), true);
      activeRef.current = active;
      commit([...history, active.draft.snapshot()]);
      setStatus('submitted');
      setError(undefined);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (resume) headers[REQUEST_ID_HEADER] = active.requestId;
      return follow(active, (signal) =>
        fetch(api, {
          method: 'POST',
          headers,
          body: JSON.stringify({ ...bodyRef.current, id: chatIdRef.current, messages: history.map(toWire), trigger, messageId }),
          signal,
        }),
      );
    },
    [api, commit, follow, resume],
  );

  const send = useCallback(
    (text: string, files: AttachmentPart[] = []) => {
      if (!text.trim() && files.length === 0) return;
      halt();
      const user: ChatMessage = { id: newId(), role: 'user', parts: userParts(text, files) };
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
      const user: ChatMessage = { id: newId(), role: 'user', parts: userParts(text, attachmentsOf(messagesRef.current[index]!)) };
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

  // A reply still being written when the page opened (a second tab, another device) is followed
  // live from its start, through the resume endpoint.
  useEffect(() => {
    const last = messagesRef.current.at(-1);
    if (!resume || activeRef.current || last?.role !== 'assistant' || last.status !== 'streaming') return;
    const active = newActiveRequest(new MessageDraft(last.id), false);
    activeRef.current = active;
    setStatus('streaming');
    void follow(active, (signal) => fetch(resumeUrl(last.id), { signal }));
    return () => {
      if (activeRef.current !== active) return;
      activeRef.current = null;
      active.controller.abort();
    };
  }, [resume, follow, resumeUrl]);

  // Leaving (unmount, client navigation, closing or hiding the page for good) cancels the reply
  // this page started.
  useEffect(() => {
    const leave = () => {
      const active = activeRef.current;
      if (!active?.owned) return;
      activeRef.current = null;
      active.controller.abort();
      requestStop(active);
    };
    const onPageHide = (event: PageTransitionEvent) => {
      if (!event.persisted) leave();
    };
    window.addEventListener('pagehide', onPageHide);
    return () => {
      window.removeEventListener('pagehide', onPageHide);
      leave();
    };
  }, [requestStop]);

  // Offline, a connection is dead even where the socket has not noticed yet (an emulated network,
  // a half-open socket): a resumable reply drops it and reconnects when the browser is back.
  useEffect(() => {
    const onOffline = () => {
      const active = activeRef.current;
      if (active?.started && active.graceMs > 0) active.connection.abort();
    };
    window.addEventListener('offline', onOffline);
    return () => window.removeEventListener('offline', onOffline);
  }, []);

  return { messages, status, error, send, stop: halt, regenerate, edit, setMessages: replaceMessages };
}

/** A user message's parts: its files first, as the AI SDK orders them, then its text. */
const userParts = (text: string, files: AttachmentPart[]): ChatPart[] => [...files, ...(text.trim() ? [{ type: 'text' as const, text }] : [])];

function newActiveRequest(draft: MessageDraft, owned: boolean): ActiveRequest {
  return { controller: new AbortController(), draft, requestId: newId(), owned, started: false, graceMs: 0, connection: new AbortController() };
}

/** A signal for the request's next connection: it ends with the reply (a stop) or with the connection alone. */
function newConnection(active: ActiveRequest): AbortSignal {
  active.connection = new AbortController();
  return AbortSignal.any([active.controller.signal, active.connection.signal]);
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
