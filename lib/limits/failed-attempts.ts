import 'server-only';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RunnelConfig } from '@/lib/config';
import { ChatError } from '@/lib/errors';
import { metrics } from '@/lib/metrics/registry';
import { inWords, makeLimiter } from './limits';

/** Failures an address may have in this window before it is refused (429) until the window ends. */
const WINDOW_S = 15 * 60;

/** Something an address can get wrong by guessing: an API key, a sign-in. */
interface Attempt {
  /** The limiter's name, in metrics, error details and Redis keys. */
  name: 'failed_api_keys' | 'failed_sign_ins';
  allowed: (config: RunnelConfig) => number;
  /** What the refused client is told, given how long to wait. */
  refusal: (wait: string) => string;
}

export const API_KEY_ATTEMPTS: Attempt = {
  name: 'failed_api_keys',
  allowed: (config) => config.failedKeysPerIp,
  refusal: (wait) => `Too many wrong API keys from this address: try again in ${wait}.`,
};

export const SIGN_IN_ATTEMPTS: Attempt = {
  name: 'failed_sign_ins',
  allowed: (config) => config.failedSignInsPerIp,
  refusal: (wait) => `Too many failed sign-ins from this address: try again in ${wait}.`,
};

// On globalThis: the API routes are separate bundles, one process.
const holder = globalThis as typeof globalThis & { __runnelFailedAttempts?: Map<string, RateLimiterAbstract | undefined> };

function limiterFor(config: RunnelConfig, attempt: Attempt): RateLimiterAbstract | undefined {
  const limiters = (holder.__runnelFailedAttempts ??= new Map());
  const key = JSON.stringify([attempt.name, config.redisUrl, config.redisPrefix, attempt.allowed(config)]);
  if (!limiters.has(key)) limiters.set(key, makeLimiter(config, `ip:${attempt.name}`, attempt.allowed(config), WINDOW_S));
  return limiters.get(key);
}

/**
 * Refuses an address that has failed too often lately, before its attempt is even looked at:
 * guessing costs it the window. (API keys are looked up by the hash of the whole key, so no
 * answer or timing tells a known prefix from an unknown one.)
 */
export async function assertAttemptsAllowed(config: RunnelConfig, attempt: Attempt, ip: string | undefined): Promise<void> {
  const limiter = limiterFor(config, attempt);
  if (!limiter || !ip) return;
  const state = await limiter.get(ip).catch(() => null);
  if (!state || state.consumedPoints < attempt.allowed(config)) return;
  metrics().rateLimitRejections.inc({ limit: attempt.name, scope: 'ip' });
  const seconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
  throw new ChatError('rate_limited', attempt.refusal(inWords(seconds)), {
    retryAfter: String(seconds),
    details: { limit: attempt.name, scope: 'ip', retryAfterSeconds: seconds },
  });
}

/** Counts a failure (a wrong key, a failed sign-in) against its address. */
export async function countFailedAttempt(config: RunnelConfig, attempt: Attempt, ip: string | undefined): Promise<void> {
  const limiter = limiterFor(config, attempt);
  if (!limiter || !ip) return;
  await limiter.penalty(ip, 1).catch((error: unknown) => console.warn(`[runnel] counting ${attempt.name} failed`, error));
}
