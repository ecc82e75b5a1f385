import 'server-only';

/**
 * The client's IP, for per-IP limits. A Next route handler never sees the socket: `next start`
 * puts the peer's address in X-Forwarded-For when the request has none, and each proxy in front
 * appends the address it was called from. With `trustedProxies` proxies (each appending), the
 * client is that many entries from the right; anything further left was written by the client
 * and cannot be trusted. Without a proxy, a client can send its own X-Forwarded-For, which Next
 * keeps: run Runnel behind one (RUNNEL_TRUSTED_PROXIES) where per-IP limits matter.
 */
export function clientIp(request: Request, trustedProxies: number): string | undefined {
  const hops = (request.headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  if (hops.length === 0) return undefined;
  return hops[Math.max(0, hops.length - Math.max(trustedProxies, 1))];
}
