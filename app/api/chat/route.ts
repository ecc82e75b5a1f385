import { Generation } from '@/lib/ai/generation';
import { providerFor } from '@/lib/ai/providers';
import { uiMessageStreamResponse } from '@/lib/ai/ui-stream';
import { parseChatRequest, toPromptMessages } from '@/lib/chat/request';
import { getConfig } from '@/lib/config';
import { ChatError, toChatError } from '@/lib/errors';

// Read by hosting platforms such as Vercel; `next start` does not enforce it.
export const maxDuration = 300;

/** Streams an assistant reply as an AI SDK v6 UI message stream. */
export async function POST(request: Request): Promise<Response> {
  try {
    const config = getConfig();
    const body = await parseChatRequest(request);
    const model = body.model ? config.models.find((m) => m.id === body.model) : config.defaultModel;
    if (!model) throw new ChatError('unknown_model', `Unknown model "${body.model}".`);
    const generation = await Generation.start(
      {
        provider: providerFor(model, config),
        prompt: { model: model.upstreamModel, messages: toPromptMessages(body.messages) },
        model,
        firstByteTimeoutMs: config.firstByteTimeoutMs,
      },
      request.signal,
    );
    return uiMessageStreamResponse(generation, { heartbeatMs: config.heartbeatMs });
  } catch (error) {
    return toChatError(error).toResponse();
  }
}

const methodNotAllowed = () =>
  new ChatError('method_not_allowed', 'Use POST to send a chat request.').toResponse({ allow: 'POST' });

export { methodNotAllowed as GET, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
