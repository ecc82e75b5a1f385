import { readFileSync } from 'node:fs';
import { PHASE_PRODUCTION_BUILD, PHASE_PRODUCTION_SERVER } from 'next/constants';
import { afterEach, expect, test } from 'vitest';
import nextConfig from '@/next.config';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

test('a Vercel build without a database fails, naming what to add; with one (or off Vercel) it builds the standalone server', () => {
  Object.assign(process.env, { VERCEL: '1', DATABASE_URL: '', POSTGRES_URL: '' });
  expect(() => nextConfig(PHASE_PRODUCTION_BUILD)).toThrow(/Vercel Marketplace, which sets DATABASE_URL or POSTGRES_URL/);
  process.env.POSTGRES_URL = 'postgres://neon.example/db?sslmode=require';
  expect(nextConfig(PHASE_PRODUCTION_BUILD).output).toBe('standalone');
  delete process.env.VERCEL;
  expect(nextConfig(PHASE_PRODUCTION_BUILD).output).toBe('standalone');
  // `next start` reads the config again: no standalone there, so it serves the build as before.
  process.env.AUTH_SECRET = 'x'.repeat(32);
  expect(nextConfig(PHASE_PRODUCTION_SERVER).output).toBeUndefined();
});

test('vercel.json lets the chat routes see the client leave (request.signal) and migrates before the build', () => {
  const vercel = JSON.parse(readFileSync('vercel.json', 'utf8')) as { buildCommand: string; functions: Record<string, { supportsCancellation?: boolean }> };
  const routes = ['app/api/chat/route.ts', 'app/api/v1/chat/completions/route.ts'];
  for (const route of routes) {
    const pattern = Object.keys(vercel.functions).find((glob) => new RegExp(`^${glob.replace(/\*\*\/\*/g, '.+').replace(/\*/g, '[^/]+')}$`).test(route));
    expect(pattern, route).toBeDefined();
    expect(vercel.functions[pattern!]!.supportsCancellation).toBe(true);
  }
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
  expect(vercel.buildCommand).toBe('npm run vercel-build');
  expect(scripts['vercel-build']).toMatch(/^tsx lib\/db\/migrate\.ts && next build$/);
});
