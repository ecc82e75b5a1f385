import { assertSameOrigin, requestIdentity, withIdentityCookie } from '@/lib/auth/session';
import { attachmentPart, saveAttachment, sweepUnsentAttachments } from '@/lib/attachments/attachments';
import { getFileStore } from '@/lib/attachments/store';
import { readUpload } from '@/lib/attachments/upload';
import { getConfig } from '@/lib/config';
import { getDatabase } from '@/lib/db';
import { ChatError, toChatError } from '@/lib/errors';
import { clientIp } from '@/lib/limits/client-ip';
import { admitRequest } from '@/lib/limits/limits';

/**
 * POST /api/attachments: one file (multipart/form-data, field `file`) for this identity's next
 * message. Answers 201 with the file part to send with it (`{ type: 'file', url, … }`), or names
 * why the file cannot be attached. Each upload counts as a request against the per-minute limits.
 */
export async function POST(request: Request): Promise<Response> {
  let setCookie: string | undefined;
  try {
    assertSameOrigin(request);
    const config = getConfig();
    const { maxBytes, offReason } = config.attachments;
    if (offReason) throw new ChatError('attachments_off', offReason);
    const db = await getDatabase();
    const identity = await requestIdentity(request, db);
    setCookie = identity.setCookie;
    await admitRequest(config, { identity: `id:${identity.id}`, ip: clientIp(request, config.trustedProxies) });
    const file = await readUpload(request, maxBytes);
    const store = getFileStore();
    const saved = await saveAttachment(db, store, identity.id, file, maxBytes);
    void sweepUnsentAttachments(db, store, identity.id).catch((error: unknown) => console.warn(`[runnel] sweeping unsent attachments failed: ${String(error)}`));
    return withIdentityCookie(Response.json(attachmentPart(saved), { status: 201 }), setCookie);
  } catch (error) {
    return withIdentityCookie(toChatError(error).toResponse(), setCookie);
  }
}
