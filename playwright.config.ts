import { defineConfig } from '@playwright/test';
import { E2E } from './e2e/ports';

const DEPLOYMENT_SPECS = ['container.spec.ts', 'shutdown.spec.ts', 'resume-instances.spec.ts', 'nginx.spec.ts'];

const nextStart = (port: number) => `node node_modules/next/dist/bin/next start --keepAliveTimeout 65000 --port ${port} --hostname 127.0.0.1`;

/**
 * Browser tests against the production build (`next build` runs first, in `npm run test:e2e`):
 * one app wired to the project's fake OpenAI upstream, one with no provider (the offline model).
 */
export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.spec.ts',
  timeout: 30_000,
  // An answer of a few tokens takes well under a second alone; with two workers, their browsers
  // and six servers on two cores, CI saw waits for "done" pass 5 s (passing on retry).
  expect: { timeout: 10_000 },
  workers: 2,
  // Shared, noisy machines: one retry in CI, reported as flaky rather than hidden.
  retries: process.env.CI ? 1 : 0,
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  // The deployment specs start servers of their own and time what crosses them (a stop through
  // nginx within 10 ms): they run after the browser tests, and the nginx spec alone, so that a
  // neighbour's Chromium does not take the CPU their timings are about.
  projects: [
    { name: 'app', testIgnore: DEPLOYMENT_SPECS },
    { name: 'deployment', testMatch: ['container.spec.ts', 'shutdown.spec.ts', 'resume-instances.spec.ts'], dependencies: ['app'] },
    { name: 'proxy', testMatch: ['nginx.spec.ts'], dependencies: ['deployment'] },
  ],
  use: {
    baseURL: E2E.appUrl,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  webServer: [
    {
      command: `npx tsx e2e/fake-upstream/cli.ts --port ${E2E.fakePort}`,
      url: `${E2E.fakeUrl}/models`,
      reuseExistingServer: false,
    },
    {
      command: nextStart(E2E.appPort),
      url: E2E.appUrl,
      reuseExistingServer: false,
      env: { ...E2E.serverEnv('app'), ...E2E.appModels },
    },
    {
      command: `npx tsx e2e/fake-oidc/cli.ts --port ${E2E.oidcPort} --redirect ${E2E.accountsUrl}/api/auth/callback/oidc --redirect ${E2E.membersUrl}/api/auth/callback/oidc`,
      url: `${E2E.oidcUrl}/.well-known/openid-configuration`,
      reuseExistingServer: false,
    },
    {
      command: nextStart(E2E.accountsPort),
      url: `http://127.0.0.1:${E2E.accountsPort}`,
      reuseExistingServer: false,
      env: { ...E2E.serverEnv('accounts'), ...E2E.appModels, ...E2E.oidcEnv(E2E.accountsUrl) },
    },
    {
      command: nextStart(E2E.membersPort),
      url: `http://127.0.0.1:${E2E.membersPort}`,
      reuseExistingServer: false,
      env: { ...E2E.serverEnv('members'), ...E2E.appModels, ...E2E.oidcEnv(E2E.membersUrl), RUNNEL_AUTH: 'required', RUNNEL_ALLOWED_EMAILS: 'example.com' },
    },
    {
      command: nextStart(E2E.offlinePort),
      url: E2E.offlineUrl,
      reuseExistingServer: false,
      env: { ...E2E.serverEnv('offline'), OPENAI_API_KEY: '', OPENAI_BASE_URL: '', RUNNEL_OFFLINE_TOKENS_PER_SECOND: '200' },
    },
  ],
});
