import 'server-only';
import type { Generation } from '@/lib/ai/generation';

/**
 * How long a resumable reply stays findable after it ended: a reader whose connection dropped
 * just before the end still gets the rest from memory, exactly, instead of the saved copy. Other
 * replies are forgotten as they end (their readers cannot reconnect), so that a burst of them
 * holds no memory past its end.
 */
export const ENDED_REPLY_LINGER_MS = 15_000;
/** How long a stop for a request this process has not seen yet is remembered. */
const EARLY_STOP_MS = 60_000;

/** A reply this process is generating (or just generated) for a conversation of the chat route. */
export interface LiveReply {
  readonly conversationId: string;
  /** Whose it is: only they may read or stop it. */
  readonly identityId: string;
  /** The client's name for the request that started it, so it can be stopped before its first chunk names it. */
  readonly requestId: string | undefined;
  readonly generation: Generation;
  /**
   * How long it outlives its last reader when that reader's connection is lost; undefined when the
   * client did not opt in, and the end of the request itself cancels it (as it always has).
   */
  readonly graceMs: number | undefined;
  /** Settles once the question it answers is stored: before, no reader may see any of it. */
  readonly questionStored?: Promise<unknown>;
}

interface Entry extends LiveReply {
  readers: number;
  graceTimer?: ReturnType<typeof setTimeout>;
}

// On globalThis: the chat route and the resume route are separate bundles in one process.
const holder = globalThis as typeof globalThis & {
  __runnelLiveReplies?: { byConversation: Map<string, Entry>; earlyStops: Set<string> };
};
const state = () => (holder.__runnelLiveReplies ??= { byConversation: new Map(), earlyStops: new Set() });

/**
 * Makes a reply findable by its conversation until it ends, or a while after if it is resumable
 * (the newest reply of a conversation wins). A stop that arrived for its request before it was
 * registered stops it now.
 */
export function registerLiveReply(reply: LiveReply): void {
  const { byConversation, earlyStops } = state();
  const entry: Entry = { ...reply, readers: 0 };
  byConversation.set(reply.conversationId, entry);
  if (reply.requestId && earlyStops.delete(reply.requestId)) reply.generation.abort();
  const forget = () => {
    if (byConversation.get(reply.conversationId) === entry) byConversation.delete(reply.conversationId);
  };
  void reply.generation.ended.then(() => {
    clearTimeout(entry.graceTimer);
    if (reply.graceMs === undefined) return forget();
    setTimeout(forget, ENDED_REPLY_LINGER_MS).unref();
  });
}

/** The conversation's reply in this process, if it is this identity's (and the given message, when one is). */
export function findLiveReply(conversationId: string, identityId: string, messageId?: string): LiveReply | undefined {
  const entry = state().byConversation.get(conversationId);
  if (!entry || entry.identityId !== identityId) return undefined;
  if (messageId !== undefined && entry.generation.messageId !== messageId) return undefined;
  return entry;
}

/**
 * Counts a reader in. The returned function counts it out: when a resumable reply's last reader
 * is gone, it goes on for its grace window, and is cancelled (saved as stopped, usage and all)
 * if nobody has come back by then.
 */
export function attachReader(reply: LiveReply): () => void {
  const entry = reply as Entry;
  entry.readers += 1;
  clearTimeout(entry.graceTimer);
  entry.graceTimer = undefined;
  let attached = true;
  return () => {
    if (!attached) return;
    attached = false;
    entry.readers -= 1;
    if (entry.readers > 0 || entry.graceMs === undefined || entry.generation.endedAt !== undefined) return;
    entry.graceTimer = setTimeout(() => entry.generation.abort(), entry.graceMs);
  };
}

/** What a stop request names: the request the client sent, or the reply it was told about. */
export interface StopTarget {
  requestId?: string;
  messageId?: string;
}

/**
 * Cancels the conversation's reply in this process at once, if it is the one named (any, when
 * none is named). Returns whether a reply was found; one that ended already counts as stopped.
 */
export function stopLiveReply(conversationId: string, identityId: string, target: StopTarget): boolean {
  const reply = findLiveReply(conversationId, identityId);
  if (!reply || !namesReply(target, reply)) return false;
  reply.generation.abort();
  return true;
}

const namesReply = (target: StopTarget, reply: LiveReply) =>
  (target.requestId === undefined && target.messageId === undefined) ||
  (target.requestId !== undefined && target.requestId === reply.requestId) ||
  (target.messageId !== undefined && target.messageId === reply.generation.messageId);

/**
 * Remembers a stop for a request not seen yet: the stop overtook its own request (Stop pressed
 * the moment after Send). Request ids are the client's random names, so a remembered stop can
 * only ever stop the request it names.
 */
export function rememberEarlyStop(requestId: string): void {
  const { earlyStops } = state();
  earlyStops.add(requestId);
  setTimeout(() => earlyStops.delete(requestId), EARLY_STOP_MS).unref();
}
