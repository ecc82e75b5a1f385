// No 'server-only' marker: proxy.ts and next.config.ts use it.

/**
 * The Content-Security-Policy of every page. Scripts run only from this origin and with this
 * request's nonce (Next puts it on its own scripts; 'strict-dynamic' lets those load the chunks
 * they import); no eval outside development (React uses it there for its error overlay). Styles
 * may be inline: the code highlighter colours tokens with style attributes. Images may come from
 * anywhere, but a model's images only load when the reader asks (components/chat/markdown.tsx).
 * Nothing may frame the app, and it talks to its own origin only.
 */
export function contentSecurityPolicy(nonce: string, options: { development: boolean; https: boolean }): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.development ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https: http:",
    "font-src 'self' data:",
    // next dev's hot reload talks over a WebSocket to the same host.
    `connect-src 'self'${options.development ? ' ws: wss:' : ''}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

/** Headers for every response, pages and API alike (next.config.ts). */
export const SECURITY_HEADERS: { key: string; value: string }[] = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()' },
  { key: 'X-Frame-Options', value: 'DENY' },
];

/** Two years, the preload list's minimum; sent only over HTTPS (a browser ignores it over HTTP anyway). */
export const STRICT_TRANSPORT_SECURITY = 'max-age=63072000; includeSubDomains';

/** Whether the browser reached us over HTTPS: directly, or through a proxy that says so. */
export function servedOverHttps(request: Request): boolean {
  return new URL(request.url).protocol === 'https:' || request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}
