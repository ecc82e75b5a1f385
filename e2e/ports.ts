import { tmpdir } from 'node:os';
import path from 'node:path';

/** Where the browser tests' servers listen: loopback only, ports unlikely to clash with `npm run dev`. */
const fakePort = 4310;
const appPort = 3310;
const offlinePort = 3311;
const crashPort = 3312;
/** Servers that must refuse to start (crash.spec.ts): ports of their own, which no other spec uses. */
const refusalPorts = [3321, 3322] as const;
/** Two instances sharing one Postgres and one Redis (limits.spec.ts). */
const sharedPorts = [3313, 3314] as const;
/** Servers that the deployment specs start, stop and restart on their own. */
const shutdownPort = 3315;
const containerPort = 3316;
/** Two instances behind nginx (nginx.spec.ts), nginx itself, and a relay standing for compose's published port. */
const proxiedPorts = [3317, 3318] as const;
const nginxPort = 8310;
/** Two instances on one Postgres and Redis that hand replies over to each other (resume-instances.spec.ts). */
const resumePorts = [3319, 3320] as const;
const publishedPort = 8311;
/** Accounts (accounts.spec.ts): an app open to guests, a members-only one, and the OIDC provider both sign in with. */
const accountsPort = 3323;
const membersPort = 3324;
const oidcPort = 4311;

// Each test run gets its own embedded databases, so runs never share state.
const runDir = path.join(tmpdir(), `runnel-e2e-${process.env.RUNNEL_E2E_RUN ??= `${Date.now()}-${process.pid}`}`);

export const E2E = {
  fakePort,
  appPort,
  offlinePort,
  crashPort,
  refusalPorts,
  sharedPorts,
  shutdownPort,
  containerPort,
  proxiedPorts,
  resumePorts,
  nginxPort,
  publishedPort,
  accountsPort,
  membersPort,
  oidcPort,
  runDir,
  fakeUrl: `http://127.0.0.1:${fakePort}/v1`,
  fakeControlUrl: `http://127.0.0.1:${fakePort}/__fake/requests`,
  appUrl: `http://127.0.0.1:${appPort}`,
  offlineUrl: `http://127.0.0.1:${offlinePort}`,
  // Passkeys need a domain, never an IP address: the account apps are browsed at localhost.
  accountsUrl: `http://localhost:${accountsPort}`,
  membersUrl: `http://localhost:${membersPort}`,
  oidcUrl: `http://127.0.0.1:${oidcPort}`,
  /** What an app signing in with the fake OIDC provider is configured with. */
  oidcEnv: (publicUrl: string): Record<string, string> => ({
    RUNNEL_PUBLIC_URL: publicUrl,
    RUNNEL_OIDC_ISSUER: `http://127.0.0.1:${oidcPort}`,
    RUNNEL_OIDC_CLIENT_ID: 'runnel-tests',
    RUNNEL_OIDC_CLIENT_SECRET: 'runnel-tests-secret-0123456789',
    RUNNEL_OIDC_NAME: 'Company SSO',
  }),
  /** The main app's models, both served by the fake upstream: an OpenAI-compatible default and an Anthropic one. */
  appModels: {
    OPENAI_API_KEY: 'sk-e2e',
    ANTHROPIC_API_KEY: 'sk-ant-e2e',
    RUNNEL_MODELS: JSON.stringify([
      { id: 'fake-model', provider: 'openai-compatible', baseURL: `http://127.0.0.1:${fakePort}/v1`, prices: { input: 0.5, output: 1.5 }, images: true },
      { id: 'fake-claude', label: 'Fake Claude', provider: 'anthropic', baseURL: `http://127.0.0.1:${fakePort}`, prices: { input: 3, output: 15 } },
    ]),
  },
  /** What every app server under test shares: production settings and a data folder of its own. */
  serverEnv: (name: string): Record<string, string> => ({
    NEXT_TELEMETRY_DISABLED: '1',
    AUTH_SECRET: 'e2e-only-secret-0123456789abcdef',
    RUNNEL_DATA_DIR: path.join(runDir, name),
    DATABASE_URL: '',
    REDIS_URL: '',
    // All browser tests come from 127.0.0.1; each has an identity of its own, whose limits apply.
    RUNNEL_LIMIT_IP_REQUESTS_PER_MINUTE: '0',
    RUNNEL_LIMIT_IP_CONCURRENT_STREAMS: '0',
  }),
};
