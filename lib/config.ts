import 'server-only';
import path from 'node:path';
import { z } from 'zod';

/** A model the server will accept by id. Later issues add more providers here. */
export interface ModelConfig {
  id: string;
  label: string;
  provider: 'openai' | 'offline';
  /** The name sent upstream. */
  upstreamModel: string;
}

export interface RunnelConfig {
  openai: { apiKey: string | undefined; baseURL: string | undefined };
  models: ModelConfig[];
  defaultModel: ModelConfig;
  firstByteTimeoutMs: number;
  heartbeatMs: number;
  offlineTokensPerSecond: number;
  /** Real Postgres; unset means the embedded one under `dataDir`. */
  databaseUrl: string | undefined;
  /** Where the embedded database and the development signing secret live. */
  dataDir: string;
  /** Signs the identity cookie; required in production. */
  authSecret: string | undefined;
}

// `.env` files write unset values as empty strings; treat them as unset.
const optionalString = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());
const withDefault = <T extends z.ZodType>(schema: T, fallback: z.input<T>) =>
  z.preprocess((v) => (v === '' || v === undefined ? fallback : v), schema);

const EnvSchema = z.object({
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: z.preprocess((v) => (v === '' ? undefined : v), z.url().optional()),
  OPENAI_MODEL: withDefault(z.string().min(1), 'gpt-4o-mini'),
  RUNNEL_FIRST_BYTE_TIMEOUT_MS: withDefault(z.coerce.number().int().positive(), 30_000),
  RUNNEL_HEARTBEAT_MS: withDefault(z.coerce.number().int().positive(), 15_000),
  RUNNEL_OFFLINE_TOKENS_PER_SECOND: withDefault(z.coerce.number().min(0), 60),
  DATABASE_URL: optionalString,
  RUNNEL_DATA_DIR: withDefault(z.string().min(1), '.data'),
  AUTH_SECRET: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16, 'must be at least 16 characters').optional()),
});

export const OFFLINE_MODEL: ModelConfig = {
  id: 'offline-demo',
  label: 'Offline demo',
  provider: 'offline',
  upstreamModel: 'offline-demo',
};

export function parseConfig(env: NodeJS.ProcessEnv): RunnelConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid Runnel configuration: ${problems}`);
  }
  const e = parsed.data;
  const online = Boolean(e.OPENAI_API_KEY || e.OPENAI_BASE_URL);
  const defaultModel: ModelConfig = online
    ? { id: e.OPENAI_MODEL, label: e.OPENAI_MODEL, provider: 'openai', upstreamModel: e.OPENAI_MODEL }
    : OFFLINE_MODEL;
  return {
    openai: { apiKey: e.OPENAI_API_KEY, baseURL: e.OPENAI_BASE_URL },
    models: [defaultModel],
    defaultModel,
    firstByteTimeoutMs: e.RUNNEL_FIRST_BYTE_TIMEOUT_MS,
    heartbeatMs: e.RUNNEL_HEARTBEAT_MS,
    offlineTokensPerSecond: e.RUNNEL_OFFLINE_TOKENS_PER_SECOND,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.RUNNEL_DATA_DIR),
    authSecret: e.AUTH_SECRET,
  };
}

let cached: RunnelConfig | undefined;

/** The environment, parsed once per process: read at request time, never at build time. */
export function getConfig(): RunnelConfig {
  return (cached ??= parseConfig(process.env));
}

/** For tests that change the environment between cases. */
export function resetConfig(): void {
  cached = undefined;
}
