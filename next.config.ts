import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Server-only packages load from node_modules instead of the bundle: real names in stack traces
  // and profiles; undici and PGlite keep their WASM as shipped (PGlite must not be bundled).
  serverExternalPackages: ['openai', 'undici', 'zod', 'eventsource-parser', 'pg', '@electric-sql/pglite', 'drizzle-orm'],
};

export default nextConfig;
