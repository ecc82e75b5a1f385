import { assertSameOrigin, conversationOwner } from '@/lib/auth/session';
import { conversationIdParam } from '@/lib/chat/conversation-id';
import { toExport, toMarkdown } from '@/lib/chat/export-format';
import { getDatabase } from '@/lib/db';
import { conversationMessages, getConversation } from '@/lib/db/queries';
import { ChatError, toChatError } from '@/lib/errors';

/** GET /api/conversations/[id]/export?format=markdown|json: the conversation as a download. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    assertSameOrigin(request);
    const format = new URL(request.url).searchParams.get('format') ?? 'json';
    if (format !== 'json' && format !== 'markdown') throw new ChatError('invalid_request', 'format must be "json" or "markdown".');
    const identityId = await conversationOwner(request);
    const db = await getDatabase();
    const id = await conversationIdParam(params);
    const [conversation, messages] = await Promise.all([getConversation(db, identityId, id), conversationMessages(db, identityId, id)]);
    if (!conversation || !messages) throw new ChatError('not_found', 'Conversation not found.');
    const name = fileName(conversation.title || 'conversation');
    if (format === 'markdown') {
      return new Response(toMarkdown(conversation, messages), {
        headers: { 'content-type': 'text/markdown; charset=utf-8', 'content-disposition': `attachment; filename="${name}.md"` },
      });
    }
    return new Response(JSON.stringify(toExport(conversation, messages), null, 2), {
      headers: { 'content-type': 'application/json; charset=utf-8', 'content-disposition': `attachment; filename="${name}.json"` },
    });
  } catch (error) {
    return toChatError(error).toResponse();
  }
}

const fileName = (title: string) =>
  title
    .replace(/[^\w\- ]+/g, '')
    .trim()
    .replace(/\s+/g, '-')
    .slice(0, 60) || 'conversation';
