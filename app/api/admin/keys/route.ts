import { createApiKey, listApiKeys, NewApiKeySchema, revokeApiKey } from '@/lib/auth/api-keys';
import { parseJsonBody } from '@/lib/chat/request';
import { getConfig } from '@/lib/config';
import { getDatabase } from '@/lib/db';
import { isOwnerToken } from '@/lib/db/embedded-owner';
import { ChatError, toChatError } from '@/lib/errors';

/**
 * The keys CLI's way in while this server holds the embedded database (which no second process
 * may open). Authorized by the token in `<data dir>/server.json`; with Postgres the CLI talks to
 * the database itself and this answers 401.
 */
function authorize(request: Request): void {
  const token = /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
  if (!token || !isOwnerToken(getConfig().dataDir, token)) {
    throw new ChatError('unauthorized', 'This admin API takes the token from the data folder\'s server.json; use `npm run keys`.');
  }
}

const handle = (operation: (request: Request) => Promise<Response>) => async (request: Request) => {
  try {
    authorize(request);
    return await operation(request);
  } catch (error) {
    return toChatError(error).toResponse();
  }
};

export const GET = handle(async () => Response.json({ keys: await listApiKeys(await getDatabase()) }));

export const POST = handle(async (request) => {
  const { name } = await parseJsonBody(request, NewApiKeySchema);
  return Response.json(await createApiKey(await getDatabase(), { name }), { status: 201 });
});

export const DELETE = handle(async (request) => {
  const key = new URL(request.url).searchParams.get('key') ?? '';
  const revoked = await revokeApiKey(await getDatabase(), key);
  if (!revoked) throw new ChatError('not_found', `No active key "${key}".`);
  return Response.json({ revoked });
});
