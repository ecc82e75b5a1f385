import { z } from 'zod';
import { assertSameOrigin, conversationOwner } from '@/lib/auth/session';
import { conversationIdParam } from '@/lib/chat/conversation-id';
import { parseJsonBody } from '@/lib/chat/request';
import { toChatError } from '@/lib/errors';
import { stopReply } from '@/lib/resume/resume';
import { storableId } from '@/lib/text/storable';

type Context = { params: Promise<{ id: string }> };

const StopSchema = z.object({ requestId: storableId(100).optional(), messageId: storableId().optional() }).strict();

/**
 * POST /api/chat/[id]/stop: cancels the conversation's reply now, wherever it runs. A client
 * that resumes sends this on Stop and when the page goes (keepalive fetch, sendBeacon), since
 * the end of its connection no longer says the person left. Body: `{ requestId?, messageId? }`
 * (the request's X-Runnel-Request-Id, or the reply's id); with neither, the current reply.
 */
export async function POST(request: Request, { params }: Context): Promise<Response> {
  try {
    assertSameOrigin(request);
    const identityId = await conversationOwner(request);
    const conversationId = await conversationIdParam(params);
    const target = await parseJsonBody(request, StopSchema);
    return Response.json(await stopReply(request, identityId, conversationId, target), { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return toChatError(error).toResponse();
  }
}
