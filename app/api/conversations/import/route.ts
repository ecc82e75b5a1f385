import { randomUUID } from 'node:crypto';
import { assertSameOrigin, requestIdentity, withIdentityCookie } from '@/lib/auth/session';
import { ConversationExportSchema, parentsFirst } from '@/lib/chat/export-format';
import { parseJsonBody } from '@/lib/chat/request';
import { getDatabase } from '@/lib/db';
import { importConversation } from '@/lib/db/queries';
import { ChatError, toChatError } from '@/lib/errors';
import { cutText } from '@/lib/text/storable';

/** POST /api/conversations/import: a Runnel JSON export becomes a new conversation of this identity. */
export async function POST(request: Request): Promise<Response> {
  let setCookie: string | undefined;
  try {
    assertSameOrigin(request);
    const data = await parseJsonBody(request, ConversationExportSchema);
    const ordered = parentsFirst(data.messages);
    if (typeof ordered === 'string') throw new ChatError('invalid_request', ordered);
    const db = await getDatabase();
    const identity = await requestIdentity(request, db);
    setCookie = identity.setCookie;
    const id = randomUUID();
    await importConversation(
      db,
      { id, identityId: identity.id, title: data.title ? cutText(`${data.title} (imported)`, 200) : 'Imported conversation', model: data.model, systemPrompt: data.systemPrompt, activeLeafId: data.activeLeafId },
      ordered.map((m) => ({
        id: m.id,
        parentId: m.parentId,
        role: m.role,
        parts: m.parts,
        // A reply that was streaming when exported can never finish now.
        status: m.status === 'streaming' ? 'interrupted' : m.status,
        model: m.model,
        createdAt: new Date(m.createdAt),
      })),
    );
    return withIdentityCookie(Response.json({ id }, { status: 201 }), setCookie);
  } catch (error) {
    return withIdentityCookie(toChatError(error).toResponse(), setCookie);
  }
}
