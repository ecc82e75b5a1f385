import { assertSameOrigin, identityOf, withIdentityCookie } from '@/lib/auth/session';
import { parseChatRequest } from '@/lib/chat/request';
import { startReply } from '@/lib/chat/start-reply';
import { ServerTiming } from '@/lib/chat/server-timing';
import { beginTurn } from '@/lib/chat/turn';
import { findModel, getConfig } from '@/lib/config';
import { getDatabase } from '@/lib/db';
import { ChatError, toChatError } from '@/lib/errors';
import { assertAcceptingWork } from '@/lib/lifecycle/work';
import { clientIp } from '@/lib/limits/client-ip';
import { acquireStreamPermit, type StreamPermit } from '@/lib/limits/limits';
import { firstReaderResponse, replyOwnership, requestIdOf } from '@/lib/resume/resume';

// Read by hosting platforms such as Vercel; `next start` does not enforce it.
export const maxDuration = 300;

/**
 * Streams an assistant reply as an AI SDK v6 UI message stream. Limits are checked first; then the
 * model is asked while the user message is stored (a new chat's one statement), and the answer is
 * shown only once the question is stored; the reply is stored as it streams and when it ends,
 * even if the client has gone. A client that sends X-Runnel-Request-Id can lose its connection and resume
 * (GET /api/chat/[id]/stream); for any other, its connection's end is a stop.
 */
export async function POST(request: Request): Promise<Response> {
  let setCookie: string | undefined;
  let permit: StreamPermit | undefined;
  const timing = new ServerTiming();
  try {
    assertAcceptingWork();
    assertSameOrigin(request);
    const config = getConfig();
    const requestId = requestIdOf(request);
    const body = await parseChatRequest(request);
    const model = body.model ? findModel(config, body.model) : config.defaultModel;
    if (!model) throw new ChatError('unknown_model', `Unknown model "${body.model}".`);

    const db = await getDatabase();
    // Stored with the turn, in the same round trip as a new chat.
    const identity = await identityOf(request);
    setCookie = identity.setCookie;
    const ip = clientIp(request, config.trustedProxies);
    permit = await acquireStreamPermit(config, { identity: `id:${identity.id}`, ip });
    timing.mark('admitted');
    const turn = await beginTurn(db, identity.id, body, model);
    void turn.stored.then(() => timing.mark('stored'), () => {});
    const ownership = replyOwnership(config, { conversationId: turn.conversationId, identityId: identity.id, requestId });
    const generation = await startReply({
      config,
      db,
      model,
      prompt: { model: model.upstreamModel, messages: turn.prompt, maxOutputTokens: model.maxOutputTokens },
      attribution: { route: 'chat', identityId: identity.id, conversationId: turn.conversationId, clientIp: ip },
      parentId: turn.userMessageId,
      permit,
      signal: ownership.graceMs === undefined ? request.signal : undefined,
      ownership,
      question: turn.stored,
    });
    if (generation.firstTokenAt !== undefined) timing.mark('upstream', generation.firstTokenAt);
    timing.mark('answered');
    return timing.applyTo(withIdentityCookie(firstReaderResponse(generation, ownership, request), setCookie));
  } catch (error) {
    // Given back here only if no generation took it (releasing twice is harmless).
    permit?.release();
    return withIdentityCookie(toChatError(error).toResponse(), setCookie);
  }
}

const methodNotAllowed = () =>
  new ChatError('method_not_allowed', 'Use POST to send a chat request.').toResponse({ allow: 'POST' });

export { methodNotAllowed as GET, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
