import type { NextConfig } from 'next';
import { PHASE_PRODUCTION_BUILD, PHASE_PRODUCTION_SERVER } from 'next/constants';
import { SECURITY_HEADERS } from './lib/security/headers';
import { VERCEL_NEEDS_DATABASE, vercelWithoutDatabase } from './lib/vercel';

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Server-only packages load from node_modules instead of the bundle: real names in stack traces
  // and profiles; undici and PGlite keep their WASM as shipped (PGlite must not be bundled); and
  // one copy per process, so classes shared through globalThis (limiters, metrics) stay one.
  // Pages also get a Content-Security-Policy with a nonce (proxy.ts); API answers are data, never documents.
  headers: async () => [
    { source: '/:path*', headers: SECURITY_HEADERS },
    { source: '/api/:path*', headers: [{ key: 'Content-Security-Policy', value: "default-src 'none'; frame-ancestors 'none'" }] },
  ],
  serverExternalPackages: ['openai', '@anthropic-ai/sdk', 'undici', 'zod', 'eventsource-parser', 'pg', '@electric-sql/pglite', 'drizzle-orm', 'rate-limiter-flexible', 'ioredis', 'prom-client', 'gpt-tokenizer', 'unpdf', 'file-type', '@aws-sdk/client-s3'],
};

export default function config(phase: string): NextConfig {
  // Fail at start, with the reason, rather than on the first request: without a secret no
  // identity cookie can be signed. (Kept in step with MISSING_SECRET_MESSAGE in lib/auth.)
  if (phase === PHASE_PRODUCTION_SERVER && !process.env.AUTH_SECRET) {
    throw new Error(
      "AUTH_SECRET is not set. In production it is required: it signs the identity cookie that keeps each person's conversations private. Generate one with `openssl rand -base64 32` and set AUTH_SECRET.",
    );
  }
  if (phase === PHASE_PRODUCTION_BUILD) {
    // A Vercel deployment without a database fails its build, saying what to add, not its first request.
    if (vercelWithoutDatabase(process.env)) throw new Error(VERCEL_NEEDS_DATABASE);
    // Every build also lays out a self-contained server in .next/standalone, which the Docker
    // image is made of. Only the build asks for it: `next start` serves the same build as before.
    return { ...nextConfig, output: 'standalone' };
  }
  return nextConfig;
}
