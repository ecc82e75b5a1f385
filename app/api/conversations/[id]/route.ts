import { z } from 'zod';
import { assertSameOrigin, requestIdentity } from '@/lib/auth/session';
import { getDatabase } from '@/lib/db';
import { deleteConversation, renameConversation } from '@/lib/db/queries';
import { ChatError, toChatError } from '@/lib/errors';

type Context = { params: Promise<{ id: string }> };

const RenameSchema = z.object({ title: z.string().trim().min(1, 'title must not be empty').max(200) });

const notFound = () => new ChatError('not_found', 'Conversation not found.');

/** PATCH /api/conversations/[id] `{ title }`: renames a conversation of this identity. */
export async function PATCH(request: Request, { params }: Context): Promise<Response> {
  try {
    assertSameOrigin(request);
    const parsed = RenameSchema.safeParse(await request.json().catch(() => undefined));
    if (!parsed.success) throw new ChatError('invalid_request', parsed.error.issues[0]?.message ?? 'Send { "title": "…" }.');
    const db = await getDatabase();
    const identity = await requestIdentity(request, db);
    if (!(await renameConversation(db, identity.id, (await params).id, parsed.data.title))) throw notFound();
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
