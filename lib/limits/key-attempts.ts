import 'server-only';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RunnelConfig } from '@/lib/config';
import { ChatError } from '@/lib/errors';
import { metrics } from '@/lib/metrics/registry';
import { inWords, makeLimiter } from './limits';

/** Wrong API keys an address may send in this window before it is refused (429) until the window ends. */
const WINDOW_S = 15 * 60;

// On globalThis: the API routes are separate bundles, one process.
const holder = globalThis as typeof globalThis & { __runnelKeyAttempts?: { key: string; limiter: RateLimiterAbstract | undefined } };

function limiterFor(config: RunnelConfig): RateLimiterAbstract | undefined {
  const key = JSON.stringify([config.redisUrl, config.redisPrefix, config.failedKeysPerIp]);
  if (holder.__runnelKeyAttempts?.key !== key) holder.__runnelKeyAttempts = { key, limiter: makeLimiter(config, 'ip:failed_api_keys', config.failedKeysPerIp, WINDOW_S) };
  return holder.__runnelKeyAttempts.limiter;
}

/**
 * Refuses an address that has sent too many wrong API keys lately, before its key is even looked
 * at: guessing keys costs it the window. Keys themselves are looked up by the hash of the whole
 * key, so no answer or timing tells a known prefix from an unknown one.
 */
export async function assertKeyGuessingAllowed(config: RunnelConfig, ip: string | undefined): Promise<void> {
  const limiter = limiterFor(config);
  if (!limiter || !ip) return;
  const state = await limiter.get(ip).catch(() => null);
  if (!state || state.consumedPoints < config.failedKeysPerIp) return;
  metrics().rateLimitRejections.inc({ limit: 'failed_api_keys', scope: 'ip' });
  const seconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
  throw new ChatError('rate_limited', `Too many wrong API keys from this address: try again in ${inWords(seconds)}.`, {
    retryAfter: String(seconds),
    details: { limit: 'failed_api_keys', scope: 'ip', retryAfterSeconds: seconds },
  });
}

/** Counts a wrong (unknown, revoked or malformed) key against its address. */
export async function countFailedKey(config: RunnelConfig, ip: string | undefined): Promise<void> {
  const limiter = limiterFor(config);
  if (!limiter || !ip) return;
  await limiter.penalty(ip, 1).catch((error: unknown) => console.warn('[runnel] counting a wrong API key failed', error));
}
