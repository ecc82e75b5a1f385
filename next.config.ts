import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Server-only packages load from node_modules instead of the bundle: real names in stack traces
  // and profiles, and undici keeps its WASM HTTP parser as shipped.
  serverExternalPackages: ['openai', 'undici', 'zod', 'eventsource-parser'],
};

export default nextConfig;
