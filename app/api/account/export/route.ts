import { exportIdentityData } from '@/lib/auth/account-data';
import { assertSameOrigin, knownIdentityId } from '@/lib/auth/session';
import { getDatabase } from '@/lib/db';
import { ChatError, toChatError } from '@/lib/errors';

/** GET /api/account/export: everything stored for this account (or guest), as one JSON download. */
export async function GET(request: Request): Promise<Response> {
  try {
    assertSameOrigin(request);
    const identityId = await knownIdentityId(request);
    if (!identityId) throw new ChatError('not_found', 'Nothing is stored for this browser yet.');
    const data = await exportIdentityData(await getDatabase(), identityId);
    return new Response(JSON.stringify(data, null, 2), {
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="runnel-export-${data.exportedAt.slice(0, 10)}.json"`,
        'cache-control': 'no-store',
      },
    });
  } catch (error) {
    return toChatError(error).toResponse();
  }
}
