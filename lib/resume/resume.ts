import 'server-only';
import type { ChunkPosition, Generation } from '@/lib/ai/generation';
import { uiMessageStreamResponse } from '@/lib/ai/ui-stream';
import { getConfig, type RunnelConfig } from '@/lib/config';
import { getDatabase } from '@/lib/db';
import { getConversation } from '@/lib/db/queries';
import { ChatError } from '@/lib/errors';
import { GRACE_HEADER, REQUEST_ID_HEADER } from '@/lib/chat/reconnect';
import { isSafeId } from '@/lib/text/storable';
import { forwardToOwner, isForwarded } from './forward';
import { attachReader, findLiveReply, registerLiveReply, rememberEarlyStop, stopLiveReply, type LiveReply, type StopTarget } from './live-replies';
import { announceReply, findReplyOwner, rememberSharedStop } from './reply-owners';
import { storedReplyResponse } from './stored-reply';

/**
 * The request's `X-Runnel-Request-Id`, if it sent one: a client that can reconnect (Runnel's own
 * hook) names its request so. It opts the reply into resume (a lost connection is not a stop; the
 * reply goes on for the grace window, told back in X-Runnel-Resume-Grace-Ms) and lets a stop name
 * the request before the reply's first chunk has named the reply.
 */
export function requestIdOf(request: Request): string | undefined {
  const value = request.headers.get(REQUEST_ID_HEADER);
  if (value === null) return undefined;
  if (value.length > 100 || !isSafeId(value)) {
    throw new ChatError('invalid_request', `${REQUEST_ID_HEADER}: use 1 to 100 letters, digits and - _ . : ~ only.`);
  }
  return value;
}

/** Who a chat reply belongs to, for whoever comes back for it. */
export interface ReplyOwnership {
  conversationId: string;
  identityId: string;
  requestId: string | undefined;
  /** Resumable for this long after its last reader is lost; undefined: not resumable. */
  graceMs: number | undefined;
}

/** A chat reply's ownership: resumable when the client asked (a request id) and resume is on. */
export function replyOwnership(config: RunnelConfig, reply: Omit<ReplyOwnership, 'graceMs'>): ReplyOwnership {
  const resumable = reply.requestId !== undefined && config.resumeGraceMs > 0;
  return { ...reply, graceMs: resumable ? config.resumeGraceMs : undefined };
}

/**
 * Makes a starting reply findable here and, with Redis, from every instance. `questionStored`:
 * the question it answers is still being stored, and no reader may see the reply before.
 */
export function publishReply(config: RunnelConfig, generation: Generation, ownership: ReplyOwnership, questionStored?: Promise<unknown>): void {
  registerLiveReply({ ...ownership, generation, questionStored });
  void announceReply(config, { ...ownership, messageId: generation.messageId, ended: generation.ended }).then(({ stopRequested }) => {
    if (stopRequested) generation.abort();
  });
}

/**
 * The chat route's answer. A resumable reply's reader only counts itself out when it goes (the
 * connection may come back); any other reader leaving cancels the reply, as it always has.
 */
export function firstReaderResponse(generation: Generation, ownership: ReplyOwnership, request: Request): Response {
  const { heartbeatMs } = getConfig();
  const live = ownership.graceMs !== undefined && findLiveReply(ownership.conversationId, ownership.identityId, generation.messageId);
  if (!live) return uiMessageStreamResponse(generation, { heartbeatMs });
  return streamLiveReply(live, { signal: request.signal, after: undefined });
}

function streamLiveReply(reply: LiveReply, options: { signal: AbortSignal; after: ChunkPosition | undefined }): Response {
  const detach = attachReader(reply);
  const response = uiMessageStreamResponse(reply.generation, { ...options, heartbeatMs: getConfig().heartbeatMs, onReaderGone: detach });
  if (reply.graceMs !== undefined) response.headers.set(GRACE_HEADER, String(reply.graceMs));
  return response;
}

export interface ResumeRequest {
  request: Request;
  identityId: string;
  conversationId: string;
  /** The last position the reader has (`Last-Event-ID`); undefined: it has nothing yet. */
  after: ChunkPosition | undefined;
  /** The reply the reader was reading, when it knows it. */
  messageId: string | undefined;
}

const notFound = () => new ChatError('not_found', 'Conversation not found.');

/**
 * A reader (re)connecting to a conversation's reply gets what follows its position, then the
 * live chunks: from this instance's memory, from the owning instance's through Redis, or, once
 * the reply is generated nowhere, its saved copy in full. 204 when a reader that had nothing
 * asks about a conversation with nothing being generated (what AI SDK clients expect).
 */
export async function resumeReply(resume: ResumeRequest): Promise<Response> {
  const { request, identityId, conversationId, messageId } = resume;
  const live = findLiveReply(conversationId, identityId, messageId);
  if (live) {
    // A reply is shown only after its question is stored; should storing fail, it was cancelled.
    await live.questionStored?.catch(() => undefined);
    return streamLiveReply(live, { signal: request.signal, after: resume.after });
  }

  const db = await getDatabase();
  if (!(await getConversation(db, identityId, conversationId))) throw notFound();
  if (!isForwarded(request)) {
    const owner = await findReplyOwner(getConfig(), conversationId);
    if (owner && (messageId === undefined || owner.messageId === messageId)) {
      const url = new URL(request.url);
      const forwarded = await forwardToOwner(request, owner.instance, url.pathname + url.search);
      if (forwarded) return forwarded;
    }
  }
  const nothing = new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } });
  if (resume.after === undefined && messageId === undefined) return nothing;
  return (await storedReplyResponse(db, identityId, conversationId, messageId)) ?? nothing;
}

/**
 * Cancels a conversation's reply wherever it runs: here at once, or on its owning instance.
 * A stop for a request no instance has yet is remembered for when it arrives.
 */
export async function stopReply(request: Request, identityId: string, conversationId: string, target: StopTarget): Promise<{ stopped: boolean }> {
  if (stopLiveReply(conversationId, identityId, target)) return { stopped: true };
  const config = getConfig();
  if (!isForwarded(request)) {
    const owner = await findReplyOwner(config, conversationId);
    if (owner) {
      const forwarded = await forwardToOwner(request, owner.instance, new URL(request.url).pathname, JSON.stringify(target));
      if (forwarded?.ok) return (await forwarded.json()) as { stopped: boolean };
    }
  }
  if (target.requestId) {
    rememberEarlyStop(target.requestId);
    await rememberSharedStop(config, target.requestId);
  }
  // A conversation that is not this identity's is not found, whatever was remembered above
  // (a stop that overtook the first message of a new conversation finds none, and still works).
  if (!(await getConversation(await getDatabase(), identityId, conversationId))) throw notFound();
  return { stopped: false };
}
