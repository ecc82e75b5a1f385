import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // The fake upstream and benchmarks live in e2e/; nothing there ships.
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
