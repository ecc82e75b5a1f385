import 'server-only';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LimitSet, RunnelConfig } from '@/lib/config';
import { ChatError } from '@/lib/errors';
import { metrics } from '@/lib/metrics/registry';
import { redisClient } from './redis';

export type LimitName = 'requests_per_minute' | 'concurrent_streams' | 'tokens_per_day';
export type LimitScope = 'identity' | 'ip';

/** Who a request counts against: an identity (`id:…` for browsers, `key:…` for API keys) and an IP. */
export interface LimitSubject {
  identity: string;
  ip: string | undefined;
}

/** A granted stream: its slots are held until `release`, its tokens charged by `chargeTokens`. */
export interface StreamPermit {
  /** Gives the concurrent-stream slots back; settles once that is written. Safe to call more than once. */
  release(): Promise<void>;
  /** Adds a finished stream's tokens to the day's budgets; settles once that is written. */
  chargeTokens(tokens: number): Promise<void>;
}

/** A slot taken and never given back (a crashed process) frees itself after this long. */
const SLOT_TTL_S = 15 * 60;
/** Told to a client refused for concurrency: a guess, since no clock says when a stream ends. */
const CONCURRENCY_RETRY_S = 5;

type Limiters = Record<LimitScope, Record<LimitName, RateLimiterAbstract | undefined>>;

// On globalThis: the browser route and the API route are separate bundles but one process,
// whose in-memory limits must be one.
const holder = globalThis as typeof globalThis & { __runnelLimiters?: { key: string; limiters: Limiters; ready: Promise<void> } };

/** How long the first requests wait for a new Redis connection before using in-memory limits. */
const CONNECT_WAIT_MS = 1000;

/**
 * Checks every limit for a new stream and takes its slots, or throws a 429 ChatError naming the
 * limit and how long to wait. Limit state lives in Redis when REDIS_URL is set (one limit across
 * instances), else in memory; when Redis fails, the in-memory limiter answers instead.
 */
export async function acquireStreamPermit(config: RunnelConfig, subject: LimitSubject): Promise<StreamPermit> {
  const limiters = await limitersFor(config);
  const keys = subjectKeys(subject);
  // Two round trips to Redis, not six: the checks of each stage run together.
  await Promise.all(
    keys.flatMap(([scope, key]) => [countRequest(limiters[scope].requests_per_minute, key, scope), checkTokenBudget(limiters[scope].tokens_per_day, key, scope)]),
  );
  const slots = keys.flatMap(([scope, key]) => {
    const limiter = limiters[scope].concurrent_streams;
    return limiter ? [{ limiter, key, scope }] : [];
  });
  const held = await takeSlots(slots);
  // Failures are logged, never thrown: a slot not given back frees itself after SLOT_TTL_S.
  const settled = (writes: (Promise<unknown> | undefined)[]) => Promise.all(writes.map((write) => write?.catch(logFailure))).then(() => {});
  return {
    release: () => settled(held.splice(0).map(({ limiter, key }) => limiter.reward(key, 1))),
    chargeTokens: (tokens) => settled(tokens <= 0 ? [] : keys.map(([scope, key]) => limiters[scope].tokens_per_day?.penalty(key, tokens))),
  };
}

/**
 * Counts a request that starts no answer (an upload) against the per-minute limits, or throws
 * the 429 naming the limit: files cost requests, not tokens.
 */
export async function admitRequest(config: RunnelConfig, subject: LimitSubject): Promise<void> {
  const limiters = await limitersFor(config);
  await Promise.all(subjectKeys(subject).map(([scope, key]) => countRequest(limiters[scope].requests_per_minute, key, scope)));
}

const subjectKeys = (subject: LimitSubject) =>
  (
    [
      ['identity', subject.identity],
      ['ip', subject.ip],
    ] as const
  ).filter((entry): entry is readonly [LimitScope, string] => entry[1] !== undefined);

async function countRequest(limiter: RateLimiterAbstract | undefined, key: string, scope: LimitScope): Promise<void> {
  if (!limiter) return;
  try {
    await limiter.consume(key);
  } catch (rejection) {
    throw refusal('requests_per_minute', scope, limiter.points, rejection);
  }
}

async function checkTokenBudget(limiter: RateLimiterAbstract | undefined, key: string, scope: LimitScope): Promise<void> {
  if (!limiter) return;
  const state = await limiter.get(key).catch((error: unknown) => (logFailure(error), null));
  if (state && state.consumedPoints >= limiter.points) throw refusal('tokens_per_day', scope, limiter.points, state);
}

interface Slot {
  limiter: RateLimiterAbstract;
  key: string;
  scope: LimitScope;
}

/** Takes every slot or none: if one is refused, the others taken are given back. */
async function takeSlots(slots: Slot[]): Promise<Slot[]> {
  const results = await Promise.allSettled(slots.map((slot) => takeSlot(slot.limiter, slot.key, slot.scope)));
  const refused = results.find((result) => result.status === 'rejected');
  if (!refused) return slots;
  slots.forEach((slot, i) => {
    if (results[i]!.status === 'fulfilled') void slot.limiter.reward(slot.key, 1).catch(logFailure);
  });
  throw refused.reason;
}

async function takeSlot(limiter: RateLimiterAbstract, key: string, scope: LimitScope): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    // A refused consume still counted; give it back so only granted streams hold slots.
    if (rejection instanceof RateLimiterRes) await limiter.reward(key, 1).catch(logFailure);
    throw refusal('concurrent_streams', scope, limiter.points, rejection);
  }
}

const SCOPE_WORDS: Record<LimitScope, string> = { identity: 'user', ip: 'IP address' };

/** A 429 naming the limit in words. Anything but a limiter's refusal (a fault: Redis failures go to the in-memory limiter) is logged and answered 500. */
function refusal(limit: LimitName, scope: LimitScope, points: number, rejection: unknown): ChatError {
  if (!(rejection instanceof RateLimiterRes)) {
    logFailure(rejection);
    return new ChatError('internal_error', 'Limits could not be checked. Please try again.');
  }
  metrics().rateLimitRejections.inc({ limit, scope });
  const seconds = limit === 'concurrent_streams' ? CONCURRENCY_RETRY_S : Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
  const per = SCOPE_WORDS[scope];
  const message =
    limit === 'requests_per_minute'
      ? `Too many requests: at most ${points} a minute per ${per}. Try again in ${inWords(seconds)}.`
      : limit === 'concurrent_streams'
        ? `Too many answers at once: at most ${points} at a time per ${per}. Wait for one to finish (or stop one), then try again.`
        : `The day's budget of ${points.toLocaleString('en-US')} tokens per ${per} is used up. Try again in ${inWords(seconds)}.`;
  return new ChatError('rate_limited', message, { retryAfter: String(seconds), details: { limit, scope, retryAfterSeconds: seconds } });
}

/** "12 seconds", "3 minutes", "2 hours 5 minutes". */
export function inWords(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (seconds < 60) return plural(seconds, 'second');
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${plural(hours, 'hour')} ${plural(minutes % 60, 'minute')}` : plural(hours, 'hour');
}

/** The limiters for this configuration, made once; the first callers wait (briefly) for Redis to connect. */
async function limitersFor(config: RunnelConfig): Promise<Limiters> {
  const key = JSON.stringify([config.redisUrl, config.redisPrefix, config.limits]);
  if (holder.__runnelLimiters?.key !== key) {
    holder.__runnelLimiters = { key, limiters: createLimiters(config), ready: config.redisUrl ? connected(config.redisUrl) : Promise.resolve() };
  }
  await holder.__runnelLimiters.ready;
  return holder.__runnelLimiters.limiters;
}

/** Resolves when Redis is ready, or after CONNECT_WAIT_MS, whichever comes first. */
function connected(url: string): Promise<void> {
  const client = redisClient(url);
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, CONNECT_WAIT_MS);
    client.once('ready', done);
    function done() {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    }
  });
}

/** Connects to Redis at server start, so the first request does not wait for it. */
export function prepareLimits(config: RunnelConfig): Promise<void> {
  return limitersFor(config).then(() => {});
}

const DURATIONS: Record<LimitName, number> = { requests_per_minute: 60, concurrent_streams: SLOT_TTL_S, tokens_per_day: 24 * 60 * 60 };
const POINTS: Record<LimitName, keyof LimitSet> = {
  requests_per_minute: 'requestsPerMinute',
  concurrent_streams: 'concurrentStreams',
  tokens_per_day: 'tokensPerDay',
};

/**
 * One limiter: in Redis when configured (shared by every instance), with an in-memory limiter
 * answering while Redis is away; else in memory. Undefined when `points` is 0 (off).
 */
export function makeLimiter(config: RunnelConfig, name: string, points: number, durationSeconds: number): RateLimiterAbstract | undefined {
  if (points === 0) return undefined;
  const options = { points, duration: durationSeconds, keyPrefix: `${config.redisPrefix}:${name}` };
  const memory = new RateLimiterMemory(options);
  if (!config.redisUrl) return memory;
  return new RateLimiterRedis({ ...options, storeClient: redisClient(config.redisUrl), rejectIfRedisNotReady: true, insuranceLimiter: memory });
}

function createLimiters(config: RunnelConfig): Limiters {
  const make = (scope: LimitScope, name: LimitName) => makeLimiter(config, `${scope}:${name}`, config.limits[scope][POINTS[name]], DURATIONS[name]);
  const set = (scope: LimitScope) => ({
    requests_per_minute: make(scope, 'requests_per_minute'),
    concurrent_streams: make(scope, 'concurrent_streams'),
    tokens_per_day: make(scope, 'tokens_per_day'),
  });
  return { identity: set('identity'), ip: set('ip') };
}

function logFailure(error: unknown): void {
  console.warn('[runnel] a limit update failed', error);
}

/** Concurrent-stream slots `key` holds now in `scope` (0 when the limit is off). */
export async function slotsInUse(config: RunnelConfig, scope: LimitScope, key: string): Promise<number> {
  const limiter = (await limitersFor(config))[scope].concurrent_streams;
  return (await limiter?.get(key))?.consumedPoints ?? 0;
}

/** For tests: forget the in-memory limit state. */
export function resetLimiters(): void {
  holder.__runnelLimiters = undefined;
}
