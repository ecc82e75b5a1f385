import { startReply } from '@/lib/chat/start-reply';
import { getConfig } from '@/lib/config';
import { getDatabase } from '@/lib/db';
import { assertAcceptingWork } from '@/lib/lifecycle/work';
import { clientIp } from '@/lib/limits/client-ip';
import { acquireStreamPermit, type StreamPermit } from '@/lib/limits/limits';
import { requireApiKey } from '@/lib/v1/auth';
import { completionIdentity, completionResponse, completionStreamResponse } from '@/lib/v1/completion';
import { openAIErrorResponse, V1Error } from '@/lib/v1/errors';
import { parseCompletionRequest, requestedModel, toPrompt } from '@/lib/v1/request';
import { storeApiRequest } from '@/lib/v1/store';

// Read by hosting platforms such as Vercel; `next start` does not enforce it.
export const maxDuration = 300;

/**
 * OpenAI's Chat Completions API over Runnel's models, for programs holding a Runnel API key.
 * The same path as the browser's: limits, then the model asked while the request is stored (the
 * answer waits for it), one Generation, metered and saved however it ends, the upstream closed
 * when the client goes.
 */
export async function POST(request: Request): Promise<Response> {
  let permit: StreamPermit | undefined;
  try {
    assertAcceptingWork();
    const config = getConfig();
    const db = await getDatabase();
    const key = await requireApiKey(request, db);
    const body = await parseCompletionRequest(request);
    const model = requestedModel(config, body.model);
    const ip = clientIp(request, config.trustedProxies);
    permit = await acquireStreamPermit(config, { identity: `key:${key.keyId}`, ip });
    const prompt = await toPrompt(body, model);
    const stored = storeApiRequest(db, key, body, model);
    const generation = await startReply({
      config,
      db,
      model,
      prompt,
      attribution: { route: 'v1', identityId: key.identityId, apiKeyId: key.keyId, conversationId: stored.conversationId, clientIp: ip },
      parentId: stored.lastMessageId,
      permit,
      signal: request.signal,
      // The prompt is the client's own messages: what is stored is what was sent.
      question: stored.stored.then(() => prompt.messages),
    });
    const identity = completionIdentity(model.id);
    if (!body.stream) return await completionResponse(generation, identity);
    return completionStreamResponse(generation, { identity, includeUsage: body.stream_options?.include_usage === true, heartbeatMs: config.heartbeatMs });
  } catch (error) {
    permit?.release();
    return openAIErrorResponse(error);
  }
}

const methodNotAllowed = () => openAIErrorResponse(new V1Error('method_not_allowed', 'Use POST for chat completions.'), { allow: 'POST' });

export { methodNotAllowed as GET, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
