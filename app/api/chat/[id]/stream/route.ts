import { conversationOwner } from '@/lib/auth/session';
import { conversationIdParam } from '@/lib/chat/conversation-id';
import { ChatError, toChatError } from '@/lib/errors';
import { resumeReply } from '@/lib/resume/resume';
import { isSafeId } from '@/lib/text/storable';

type Context = { params: Promise<{ id: string }> };

/**
 * GET /api/chat/[id]/stream: the conversation's reply in progress, as a UI message stream. With
 * `Last-Event-ID` (the last event id a reader has), only what follows it; without, all of it
 * (AI SDK `useChat({ resume: true })`, a reload, a second tab). `?message=` names the reply the
 * reader was reading. 204 when there is nothing to resume.
 */
export async function GET(request: Request, { params }: Context): Promise<Response> {
  try {
    const identityId = await conversationOwner(request);
    const conversationId = await conversationIdParam(params);
    return await resumeReply({ request, identityId, conversationId, after: lastEventId(request), messageId: messageParam(request) });
  } catch (error) {
    return toChatError(error).toResponse();
  }
}

function lastEventId(request: Request): number | undefined {
  const value = request.headers.get('last-event-id');
  if (value === null || value === '') return undefined;
  if (!/^\d{1,15}$/.test(value)) throw new ChatError('invalid_request', 'Last-Event-ID: send the id of the last event received (a whole number).');
  return Number(value);
}

function messageParam(request: Request): string | undefined {
  const value = new URL(request.url).searchParams.get('message');
  if (value === null) return undefined;
  if (value.length > 200 || !isSafeId(value)) throw new ChatError('invalid_request', 'message: use letters, digits and - _ . : ~ only.');
  return value;
}
