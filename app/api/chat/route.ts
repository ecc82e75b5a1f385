import { Generation } from '@/lib/ai/generation';
import { providerFor } from '@/lib/ai/providers';
import { uiMessageStreamResponse } from '@/lib/ai/ui-stream';
import { assertSameOrigin, requestIdentity, withIdentityCookie } from '@/lib/auth/session';
import { persistReply } from '@/lib/chat/persist-reply';
import { parseChatRequest } from '@/lib/chat/request';
import { prepareTurn } from '@/lib/chat/turn';
import { getConfig } from '@/lib/config';
import { getDatabase } from '@/lib/db';
import { ChatError, toChatError } from '@/lib/errors';

// Read by hosting platforms such as Vercel; `next start` does not enforce it.
export const maxDuration = 300;

/**
 * Streams an assistant reply as an AI SDK v6 UI message stream. The user message is stored
 * first; the reply is stored as it streams and when it ends, even if the client has gone.
 */
export async function POST(request: Request): Promise<Response> {
  let setCookie: string | undefined;
  try {
    assertSameOrigin(request);
    const config = getConfig();
    const body = await parseChatRequest(request);
    const model = body.model ? config.models.find((m) => m.id === body.model) : config.defaultModel;
    if (!model) throw new ChatError('unknown_model', `Unknown model "${body.model}".`);

    const db = await getDatabase();
    const identity = await requestIdentity(request, db);
    setCookie = identity.setCookie;
    const turn = await prepareTurn(db, identity.id, body, model.id);
    const generation = await Generation.start(
      {
        provider: providerFor(model, config),
        prompt: { model: model.upstreamModel, messages: turn.prompt, maxOutputTokens: model.maxOutputTokens },
        model,
        firstByteTimeoutMs: config.firstByteTimeoutMs,
      },
      request.signal,
    );
    void persistReply(db, { conversationId: turn.conversation.id, parentId: turn.userMessageId, model: model.id }, generation);
    return withIdentityCookie(uiMessageStreamResponse(generation, { heartbeatMs: config.heartbeatMs }), setCookie);
  } catch (error) {
    return withIdentityCookie(toChatError(error).toResponse(), setCookie);
  }
}

const methodNotAllowed = () =>
  new ChatError('method_not_allowed', 'Use POST to send a chat request.').toResponse({ allow: 'POST' });

export { methodNotAllowed as GET, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
