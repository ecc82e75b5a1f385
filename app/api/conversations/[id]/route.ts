import { z } from 'zod';
import { deleteConversationAndFiles } from '@/lib/attachments/attachments';
import { getFileStore } from '@/lib/attachments/store';
import { assertSameOrigin, conversationOwner } from '@/lib/auth/session';
import { getDatabase } from '@/lib/db';
import { modelLabel } from '@/lib/chat/chat-model';
import { conversationIdParam } from '@/lib/chat/conversation-id';
import { SYSTEM_PROMPT_LIMIT } from '@/lib/chat/export-format';
import { toChatMessage } from '@/lib/chat/stored-message';
import { pathTo } from '@/lib/chat/tree';
import { conversationMessages, getConversation, renameConversation, setActiveLeaf, setSystemPrompt } from '@/lib/db/queries';
import { ChatError, toChatError } from '@/lib/errors';
import { storableId, storableText } from '@/lib/text/storable';

type Context = { params: Promise<{ id: string }> };

const UpdateSchema = z.union([
  z.object({ title: z.string().trim().min(1, 'title must not be empty').max(200).transform(storableText) }),
  z.object({ activeLeafId: storableId() }),
  // Empty clears it: the conversation then has none.
  z.object({ systemPrompt: z.string().trim().max(SYSTEM_PROMPT_LIMIT).transform((text) => storableText(text) || null) }),
]);

const notFound = () => new ChatError('not_found', 'Conversation not found.');

/** GET /api/conversations/[id]: the history it shows now (the path to its active leaf). */
export async function GET(request: Request, { params }: Context): Promise<Response> {
  try {
    assertSameOrigin(request);
    const identityId = await conversationOwner(request);
    const db = await getDatabase();
    const id = await conversationIdParam(params);
    const [conversation, messages] = await Promise.all([getConversation(db, identityId, id), conversationMessages(db, identityId, id)]);
    if (!conversation || !messages) throw notFound();
    const history = pathTo(messages, conversation.activeLeafId).map((message) => toChatMessage(message, modelLabel));
    return Response.json({ id, title: conversation.title, systemPrompt: conversation.systemPrompt, messages: history }, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return toChatError(error).toResponse();
  }
}

/**
 * PATCH /api/conversations/[id]: `{ title }` renames a conversation of this identity;
 * `{ activeLeafId }` chooses which branch it shows (a message of the conversation);
 * `{ systemPrompt }` sets what the model is told before the turns, from the next answer on.
 */
export async function PATCH(request: Request, { params }: Context): Promise<Response> {
  try {
    assertSameOrigin(request);
    const parsed = UpdateSchema.safeParse(await request.json().catch(() => undefined));
    if (!parsed.success) throw new ChatError('invalid_request', `Send { "title": "…" }, { "activeLeafId": "…" } or { "systemPrompt": "…" } (at most ${SYSTEM_PROMPT_LIMIT} characters).`);
    const identityId = await conversationOwner(request);
    const db = await getDatabase();
    const id = await conversationIdParam(params);
    const update = parsed.data;
    const done =
      'title' in update
        ? await renameConversation(db, identityId, id, update.title)
        : 'systemPrompt' in update
          ? await setSystemPrompt(db, identityId, id, update.systemPrompt)
          : await setActiveLeaf(db, identityId, id, update.activeLeafId);
    if (!done) throw notFound();
    return new Response(null, { status: 204 });
  } catch (error) {
    return toChatError(error).toResponse();
  }
}

/** DELETE /api/conversations/[id]: deletes a conversation of this identity, with all its messages and files. */
export async function DELETE(request: Request, { params }: Context): Promise<Response> {
  try {
    assertSameOrigin(request);
    const identityId = await conversationOwner(request);
    const deleted = await deleteConversationAndFiles(await getDatabase(), getFileStore(), identityId, await conversationIdParam(params));
    if (!deleted) throw notFound();
    return new Response(null, { status: 204 });
  } catch (error) {
    return toChatError(error).toResponse();
  }
}
