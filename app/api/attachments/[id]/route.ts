import { assertSameOrigin, knownIdentityId } from '@/lib/auth/session';
import { deleteUnsentAttachment, findAttachment } from '@/lib/attachments/attachments';
import { isAttachmentId } from '@/lib/attachments/parts';
import { getFileStore } from '@/lib/attachments/store';
import { getDatabase } from '@/lib/db';
import { ChatError, toChatError } from '@/lib/errors';

type Context = { params: Promise<{ id: string }> };

const notFound = () => new ChatError('not_found', 'File not found.');

/** The attachment id in the path and the identity asking; anything else is a 404. */
async function ownerAndId(request: Request, params: Context['params']): Promise<{ identityId: string; id: string }> {
  const { id } = await params;
  const identityId = await knownIdentityId(request);
  if (!identityId || !isAttachmentId(id)) throw notFound();
  return { identityId, id };
}

/**
 * GET /api/attachments/[id]: the file, to the identity it belongs to (anyone else gets 404). Served
 * as what its content was found to be, never sniffed, and sandboxed: a file cannot run script here.
 */
export async function GET(request: Request, { params }: Context): Promise<Response> {
  try {
    const { identityId, id } = await ownerAndId(request, params);
    const row = await findAttachment(await getDatabase(), identityId, id);
    const bytes = row && (await getFileStore().get(row.id));
    if (!row || !bytes) throw notFound();
    return new Response(new Uint8Array(bytes), {
      headers: {
        'content-type': row.mediaType === 'text/plain' ? 'text/plain; charset=utf-8' : row.mediaType,
        'content-length': String(bytes.byteLength),
        'content-disposition': `inline; filename*=UTF-8''${encodeURIComponent(row.name)}`,
        // A file's bytes never change: the browser may keep them, for this person only.
        'cache-control': 'private, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
      },
    });
  } catch (error) {
    return toChatError(error).toResponse();
  }
}

/** DELETE /api/attachments/[id]: removes an upload not yet sent (taken out of the composer). A sent file goes with its conversation. */
export async function DELETE(request: Request, { params }: Context): Promise<Response> {
  try {
    assertSameOrigin(request);
    const { identityId, id } = await ownerAndId(request, params);
    if (!(await deleteUnsentAttachment(await getDatabase(), getFileStore(), identityId, id))) throw notFound();
    return new Response(null, { status: 204 });
  } catch (error) {
    return toChatError(error).toResponse();
  }
}
