import { createApiKey, listApiKeys, NewApiKeySchema } from '@/lib/auth/api-keys';
import { assertSameOrigin, knownIdentityId, requestIdentity, withIdentityCookie } from '@/lib/auth/session';
import { parseJsonBody } from '@/lib/chat/request';
import { getDatabase } from '@/lib/db';
import { toChatError } from '@/lib/errors';

/** GET /api/keys: this identity's API keys (never the keys themselves). */
export async function GET(request: Request): Promise<Response> {
  try {
    assertSameOrigin(request);
    const identityId = await knownIdentityId(request);
    const keys = identityId ? await listApiKeys(await getDatabase(), identityId) : [];
    return Response.json({ keys }, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return toChatError(error).toResponse();
  }
}

/** POST /api/keys {name}: a new key acting as this identity, returned whole this once. */
export async function POST(request: Request): Promise<Response> {
  let setCookie: string | undefined;
  try {
    assertSameOrigin(request);
    const { name } = await parseJsonBody(request, NewApiKeySchema);
    const db = await getDatabase();
    const identity = await requestIdentity(request, db);
    setCookie = identity.setCookie;
    const created = await createApiKey(db, { name, identityId: identity.id });
    return withIdentityCookie(Response.json(created, { status: 201, headers: { 'cache-control': 'no-store' } }), setCookie);
  } catch (error) {
    return withIdentityCookie(toChatError(error).toResponse(), setCookie);
  }
}
