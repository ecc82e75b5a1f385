import 'server-only';
import { getConfig } from '@/lib/config';
import { resolveAuthSecret } from './identity';

let secret: string | undefined;

/** The secret that signs identity cookies, resolved once per process. */
export function authSecret(): string {
  const config = getConfig();
  return (secret ??= resolveAuthSecret({ secret: config.authSecret, production: process.env.NODE_ENV === 'production', dataDir: config.dataDir }));
}
