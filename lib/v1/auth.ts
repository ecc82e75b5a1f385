import 'server-only';
import { authenticateApiKey, type ApiKeyIdentity } from '@/lib/auth/api-keys';
import { getConfig } from '@/lib/config';
import type { Database } from '@/lib/db/database';
import { clientIp } from '@/lib/limits/client-ip';
import { API_KEY_ATTEMPTS, assertAttemptsAllowed, countFailedAttempt } from '@/lib/limits/failed-attempts';
import { V1Error } from './errors';

/**
 * The key a /api/v1 request carries as `Authorization: Bearer rk_…`, or a 401 as OpenAI words it;
 * or a 429 for an address that has sent too many wrong keys lately.
 */
export async function requireApiKey(request: Request, db: Database): Promise<ApiKeyIdentity> {
  const config = getConfig();
  const ip = clientIp(request, config.trustedProxies);
  await assertAttemptsAllowed(config, API_KEY_ATTEMPTS, ip);
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
    await countFailedAttempt(config, API_KEY_ATTEMPTS, ip);
    const shown = key.length > 11 ? `${key.slice(0, 11)}…` : 'that key';
    throw new V1Error('unauthorized', `Incorrect API key provided: ${shown}. It is unknown or revoked.`, { code: 'invalid_api_key' });
  }
  // Members only: a key a guest made before the deployment closed to guests no longer works.
  if (config.auth.mode === 'required' && identity.identityKind === 'browser') {
    throw new V1Error('unauthorized', 'This API key belongs to a guest, and this Runnel is for signed-in members only: sign in and create a key in Settings.', {
      code: 'sign_in_required',
    });
  }
  return identity;
}
