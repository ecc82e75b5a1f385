import 'server-only';
import { Redis } from 'ioredis';

// On globalThis: route bundles are separate module instances, and the process needs one connection.
const holder = globalThis as typeof globalThis & { __runnelRedis?: Map<string, Redis> };

/**
 * The process's connection to the Redis at `url`, made on first use. It never queues commands
 * while disconnected: limit checks fail at once and fall back to in-memory limits, so a Redis
 * outage slows nothing. ioredis reconnects by itself; the outage and the recovery are logged
 * once each.
 */
export function redisClient(url: string): Redis {
  holder.__runnelRedis ??= new Map();
  let client = holder.__runnelRedis.get(url);
  if (!client) {
    client = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      // Keep trying, at most every 2 s.
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      lazyConnect: false,
    });
    let down = false;
    client.on('error', (error: Error) => {
      if (down) return;
      down = true;
      console.warn(`[runnel] Redis at ${redactedUrl(url)} is unavailable (${error.message}); limits are enforced per process, in memory, until it is back`);
    });
    client.on('ready', () => {
      if (!down) return;
      down = false;
      console.warn(`[runnel] Redis at ${redactedUrl(url)} answers again; limits are shared again`);
    });
    holder.__runnelRedis.set(url, client);
  }
  return client;
}

/** For tests: closes every connection made. */
export async function closeRedisClients(): Promise<void> {
  const clients = [...(holder.__runnelRedis?.values() ?? [])];
  holder.__runnelRedis?.clear();
  await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
}

function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'REDIS_URL';
  }
}
