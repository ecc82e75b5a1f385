import 'server-only';
import { authenticateApiKey, type ApiKeyIdentity } from '@/lib/auth/api-keys';
import { getConfig } from '@/lib/config';
import type { Database } from '@/lib/db/database';
import { clientIp } from '@/lib/limits/client-ip';
import { assertKeyGuessingAllowed, countFailedKey } from '@/lib/limits/key-attempts';
import { V1Error } from './errors';

/**
 * The key a /api/v1 request carries as `Authorization: Bearer rk_…`, or a 401 as OpenAI words it;
 * or a 429 for an address that has sent too many wrong keys lately.
 */
export async function requireApiKey(request: Request, db: Database): Promise<ApiKeyIdentity> {
  const config = getConfig();
  const ip = clientIp(request, config.trustedProxies);
  await assertKeyGuessingAllowed(config, ip);
  const header = request.headers.get('authorization') ?? '';
  const key = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  if (!key) {
    throw new V1Error(
      'unauthorized',
      "You didn't provide an API key. Send a Runnel API key (rk_…) as 'Authorization: Bearer rk_…'; create one in Settings or with `npm run keys -- create --name <name>`.",
      { code: 'missing_api_key' },
    );
  }
  const identity = await authenticateApiKey(db, key);
  if (!identity) {
    await countFailedKey(config, ip);
    const shown = key.length > 11 ? `${key.slice(0, 11)}…` : 'that key';
    throw new V1Error('unauthorized', `Incorrect API key provided: ${shown}. It is unknown or revoked.`, { code: 'invalid_api_key' });
  }
  return identity;
}
