import { z } from 'zod';
import { assertSameOrigin, requestIdentity } from '@/lib/auth/session';
import { getDatabase } from '@/lib/db';
import { deleteConversation, renameConversation, setActiveLeaf } from '@/lib/db/queries';
import { ChatError, toChatError } from '@/lib/errors';

type Context = { params: Promise<{ id: string }> };

const UpdateSchema = z.union([
  z.object({ title: z.string().trim().min(1, 'title must not be empty').max(200) }),
  z.object({ activeLeafId: z.string().min(1).max(200) }),
]);

const notFound = () => new ChatError('not_found', 'Conversation not found.');

/**
 * PATCH /api/conversations/[id]: `{ title }` renames a conversation of this identity;
 * `{ activeLeafId }` chooses which branch it shows (a message of the conversation).
 */
export async function PATCH(request: Request, { params }: Context): Promise<Response> {
  try {
    assertSameOrigin(request);
    const parsed = UpdateSchema.safeParse(await request.json().catch(() => undefined));
    if (!parsed.success) throw new ChatError('invalid_request', 'Send { "title": "…" } or { "activeLeafId": "…" }.');
    const db = await getDatabase();
    const identity = await requestIdentity(request, db);
    const id = (await params).id;
    const done =
      'title' in parsed.data
        ? await renameConversation(db, identity.id, id, parsed.data.title)
        : await setActiveLeaf(db, identity.id, id, parsed.data.activeLeafId);
    if (!done) throw notFound();
    return new Response(null, { status: 204 });
  } catch (error) {
    return toChatError(error).toResponse();
  }
}

/** DELETE /api/conversations/[id]: deletes a conversation of this identity, with all its messages. */
export async function DELETE(request: Request, { params }: Context): Promise<Response> {
  try {
    assertSameOrigin(request);
    const db = await getDatabase();
    const identity = await requestIdentity(request, db);
    if (!(await deleteConversation(db, identity.id, (await params).id))) throw notFound();
    return new Response(null, { status: 204 });
  } catch (error) {
    return toChatError(error).toResponse();
  }
}
