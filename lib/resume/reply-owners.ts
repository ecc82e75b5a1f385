import 'server-only';
import { networkInterfaces } from 'node:os';
import type { RunnelConfig } from '@/lib/config';
import { redisClient } from '@/lib/limits/redis';
import { ENDED_REPLY_LINGER_MS } from './live-replies';

/**
 * Which instance generates a conversation's reply, kept in Redis so that a reconnect that lands
 * on another instance (behind a load balancer) is passed to the one that has the reply in memory.
 * Two writes per reply and none per chunk: the chunks never leave the instance that makes them.
 * Without Redis there is one process, and nothing to find.
 */
export interface ReplyOwner {
  /** Where the owning instance is reached (RUNNEL_INSTANCE_URL). */
  instance: string;
  messageId: string;
}

/** A reply runs at most this long (a crashed owner's entry goes by itself). */
const OWNER_TTL_MS = 15 * 60 * 1000;

const ownerKey = (config: RunnelConfig, conversationId: string) => `${config.redisPrefix}:reply:${conversationId}`;
const stopKey = (config: RunnelConfig, requestId: string) => `${config.redisPrefix}:stop:${requestId}`;

/** Expires the entry, but only if it is still this reply's (a newer reply of the conversation may have replaced it). */
const EXPIRE_IF_SAME = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0`;

/**
 * Announces this instance as the reply's owner until a while after it ends, and says whether a
 * stop for its request reached another instance first. Redis being away costs resume across
 * instances, never the reply: failures are logged and read as "no stop".
 */
export async function announceReply(
  config: RunnelConfig,
  reply: { conversationId: string; messageId: string; requestId: string | undefined; graceMs: number | undefined; ended: Promise<void> },
): Promise<{ stopRequested: boolean }> {
  if (!config.redisUrl) return { stopRequested: false };
  const redis = redisClient(config.redisUrl);
  const key = ownerKey(config, reply.conversationId);
  const value = JSON.stringify({ instance: instanceUrl(config), messageId: reply.messageId } satisfies ReplyOwner);
  // As long as the owner keeps it in memory after its end (see registerLiveReply).
  const linger = reply.graceMs === undefined ? 1 : ENDED_REPLY_LINGER_MS;
  void reply.ended.then(() => redis.eval(EXPIRE_IF_SAME, 1, key, value, linger).catch(logFailure));
  try {
    const pipeline = redis.multi().set(key, value, 'PX', OWNER_TTL_MS);
    if (reply.requestId) pipeline.get(stopKey(config, reply.requestId));
    const results = await pipeline.exec();
    return { stopRequested: Boolean(reply.requestId && results?.[1]?.[1]) };
  } catch (error) {
    logFailure(error);
    return { stopRequested: false };
  }
}

/** The instance that owns the conversation's reply, if another one does. */
export async function findReplyOwner(config: RunnelConfig, conversationId: string): Promise<ReplyOwner | undefined> {
  if (!config.redisUrl) return undefined;
  try {
    const raw = await redisClient(config.redisUrl).get(ownerKey(config, conversationId));
    const owner = raw ? (JSON.parse(raw) as ReplyOwner) : undefined;
    return owner && owner.instance !== instanceUrl(config) ? owner : undefined;
  } catch (error) {
    logFailure(error);
    return undefined;
  }
}

/** Remembers, for every instance, a stop for a request none of them has registered yet. */
export async function rememberSharedStop(config: RunnelConfig, requestId: string): Promise<void> {
  if (!config.redisUrl) return;
  await redisClient(config.redisUrl)
    .set(stopKey(config, requestId), '1', 'PX', 60_000)
    .catch(logFailure);
}

/**
 * Where the other instances reach this one: RUNNEL_INSTANCE_URL, or this machine's first network
 * address with the port the server listens on (what a container on a compose network has).
 */
export function instanceUrl(config: RunnelConfig): string {
  if (config.instanceUrl) return config.instanceUrl.replace(/\/+$/, '');
  const address = Object.values(networkInterfaces())
    .flat()
    .find((candidate) => candidate?.family === 'IPv4' && !candidate.internal)?.address;
  return `http://${address ?? '127.0.0.1'}:${process.env.PORT ?? 3000}`;
}

let lastWarnedAt = 0;
/** Once a minute at most: while Redis is away every reply would say it. */
function logFailure(error: unknown): void {
  if (Date.now() - lastWarnedAt < 60_000) return;
  lastWarnedAt = Date.now();
  console.warn(`[runnel] sharing replies through Redis failed (${error instanceof Error ? error.message : String(error)}); they resume on their own instance only`);
}
