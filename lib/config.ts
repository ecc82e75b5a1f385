import 'server-only';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { VERCEL_NEEDS_DATABASE, vercelWithoutDatabase } from './vercel';

export type ProviderKind = 'openai' | 'openai-compatible' | 'anthropic' | 'offline';

/** US dollars per million tokens, as vendors publish them. */
export interface ModelPrices {
  input: number;
  output: number;
}

/** A model the server will accept by id. */
export interface ModelConfig {
  id: string;
  label: string;
  provider: ProviderKind;
  /** The name sent upstream. */
  upstreamModel: string;
  /** Where the provider lives; unset means the vendor's own API. */
  baseURL: string | undefined;
  apiKey: string | undefined;
  /** Anthropic requires a cap on every request; others use it when set. */
  maxOutputTokens: number | undefined;
  prices: ModelPrices | undefined;
  /** Whether the model takes images (OpenAI `image_url` parts, Anthropic image blocks). */
  images: boolean;
}

/** An S3-compatible bucket for attachments (lib/attachments/s3-store.ts). */
export interface S3Config {
  bucket: string;
  region: string;
  /** Unset: AWS itself; set for MinIO, R2 and other S3-compatible services (path-style URLs). */
  endpoint: string | undefined;
  /** Unset: the AWS SDK's default credential chain (environment, instance role…). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** Prepended to every object key, so several deployments can share a bucket. */
  prefix: string;
}

/** Files people attach to messages (lib/attachments). */
export interface AttachmentConfig {
  /** Largest file accepted, in bytes; 0 turns attachments off. */
  maxBytes: number;
  /** Unset: files are kept on disk under `dataDir`. */
  s3: S3Config | undefined;
  /** Why attachments are off, in words for the person trying to attach one; unset when they are on. */
  offReason: string | undefined;
}

/** An OAuth app's credentials. */
export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

/** Who may use Runnel and how people sign in (lib/auth/auth.ts). */
export interface AuthConfig {
  /** `open`: guests may chat (accounts are optional); `required`: only signed-in people may. */
  mode: 'open' | 'required';
  /** Emails (`ana@example.com`) and domains (`example.com`) that may sign in; empty: anyone. */
  allowedEmails: string[];
  github: OAuthClient | undefined;
  google: OAuthClient | undefined;
  /** Any OpenID Connect issuer, found by discovery. */
  oidc: (OAuthClient & { issuer: string; name: string }) | undefined;
}

/** One set of limits; 0 turns a limit off. */
export interface LimitSet {
  requestsPerMinute: number;
  concurrentStreams: number;
  tokensPerDay: number;
}

export interface RunnelConfig {
  models: ModelConfig[];
  /** Per identity (browser or API key) and per client IP. */
  limits: { identity: LimitSet; ip: LimitSet };
  /** Shared limit state; unset means in-memory, per process. */
  redisUrl: string | undefined;
  /** Keeps this deployment's Redis keys apart from others on the same Redis. */
  redisPrefix: string;
  /** Proxies in front of the server that append to X-Forwarded-For (how to find the client's IP). */
  trustedProxies: number;
  /** Wrong API keys one address may send per 15 minutes; 0 turns the limit off. */
  failedKeysPerIp: number;
  /** Bearer token for /api/metrics; unset turns metrics off. */
  metricsToken: string | undefined;
  defaultModel: ModelConfig;
  firstByteTimeoutMs: number;
  heartbeatMs: number;
  offlineTokensPerSecond: number;
  /** Real Postgres; unset means the embedded one under `dataDir`. */
  databaseUrl: string | undefined;
  /** Connections each process may hold to PostgreSQL; unset: 10 (3 on Vercel). */
  databasePoolSize: number | undefined;
  /** How long a stopping server lets replies in flight finish before it interrupts them. */
  shutdownGraceMs: number;
  /** Where browsers reach Runnel, when a proxy in front hides it (accepted as a same-origin host). */
  publicUrl: string | undefined;
  /** How long a resumable reply goes on after its last reader's connection was lost; 0: not at all. */
  resumeGraceMs: number;
  /** Where the other instances reach this one, to resume a reply it generates; unset: found from the network. */
  instanceUrl: string | undefined;
  /** Running as Vercel functions: no writable disk, connections per function instance. */
  onVercel: boolean;
  /** Where the embedded database and the development signing secret live. */
  dataDir: string;
  /** Signs the identity cookie and sessions; required in production. */
  authSecret: string | undefined;
  auth: AuthConfig;
  /** Failed sign-ins one address may make per 15 minutes; 0 turns the limit off. */
  failedSignInsPerIp: number;
  attachments: AttachmentConfig;
}

// `.env` files write unset values as empty strings; treat them as unset.
const unsetIfEmpty = (v: unknown) => (v === '' ? undefined : v);
const optionalString = z.preprocess(unsetIfEmpty, z.string().optional());
const optionalUrl = z.preprocess(unsetIfEmpty, z.url().optional());
const withDefault = <T extends z.ZodType>(schema: T, fallback: z.input<T>) =>
  z.preprocess((v) => (v === '' || v === undefined ? fallback : v), schema);

const limit = z.coerce.number().int().min(0);

const EnvSchema = z.object({
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_MODEL: withDefault(z.string().min(1), 'gpt-4o-mini'),
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: optionalUrl,
  ANTHROPIC_MODEL: withDefault(z.string().min(1), 'claude-sonnet-4-5'),
  RUNNEL_MODELS: optionalString,
  RUNNEL_MODELS_FILE: optionalString,
  RUNNEL_FIRST_BYTE_TIMEOUT_MS: withDefault(z.coerce.number().int().positive(), 30_000),
  RUNNEL_HEARTBEAT_MS: withDefault(z.coerce.number().int().positive(), 15_000),
  RUNNEL_OFFLINE_TOKENS_PER_SECOND: withDefault(z.coerce.number().min(0), 60),
  DATABASE_URL: optionalString,
  // What Vercel's Postgres integrations (Neon, Supabase, Prisma Postgres) set.
  POSTGRES_URL: optionalString,
  REDIS_URL: optionalString,
  // What Vercel's Redis integrations (Upstash KV, Redis Cloud) set.
  KV_URL: optionalString,
  VERCEL: optionalString,
  RUNNEL_SHUTDOWN_GRACE_MS: withDefault(z.coerce.number().int().min(0), 25_000),
  RUNNEL_DATABASE_POOL_SIZE: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1).max(1000).optional()),
  RUNNEL_PUBLIC_URL: optionalUrl,
  RUNNEL_RESUME_GRACE_MS: withDefault(z.coerce.number().int().min(0).max(600_000), 30_000),
  RUNNEL_INSTANCE_URL: optionalUrl,
  RUNNEL_REDIS_PREFIX: withDefault(z.string().regex(/^[\w:.-]{1,50}$/), 'runnel'),
  RUNNEL_TRUSTED_PROXIES: withDefault(z.coerce.number().int().min(0).max(10), 1),
  RUNNEL_METRICS_TOKEN: z.preprocess(unsetIfEmpty, z.string().min(16, 'must be at least 16 characters').optional()),
  RUNNEL_LIMIT_REQUESTS_PER_MINUTE: withDefault(limit, 60),
  RUNNEL_LIMIT_CONCURRENT_STREAMS: withDefault(limit, 5),
  RUNNEL_LIMIT_TOKENS_PER_DAY: withDefault(limit, 1_000_000),
  RUNNEL_LIMIT_IP_REQUESTS_PER_MINUTE: withDefault(limit, 120),
  RUNNEL_LIMIT_IP_CONCURRENT_STREAMS: withDefault(limit, 20),
  RUNNEL_LIMIT_IP_TOKENS_PER_DAY: withDefault(limit, 5_000_000),
  RUNNEL_LIMIT_IP_FAILED_KEYS: withDefault(limit, 30),
  RUNNEL_DATA_DIR: withDefault(z.string().min(1), '.data'),
  AUTH_SECRET: z.preprocess(unsetIfEmpty, z.string().min(16, 'must be at least 16 characters').optional()),
  RUNNEL_AUTH: withDefault(z.enum(['open', 'required']), 'open'),
  RUNNEL_ALLOWED_EMAILS: optionalString,
  RUNNEL_LIMIT_IP_FAILED_SIGN_INS: withDefault(limit, 10),
  GITHUB_CLIENT_ID: optionalString,
  GITHUB_CLIENT_SECRET: optionalString,
  GOOGLE_CLIENT_ID: optionalString,
  GOOGLE_CLIENT_SECRET: optionalString,
  RUNNEL_OIDC_ISSUER: optionalUrl,
  RUNNEL_OIDC_CLIENT_ID: optionalString,
  RUNNEL_OIDC_CLIENT_SECRET: optionalString,
  RUNNEL_OIDC_NAME: withDefault(z.string().min(1).max(50), 'Single sign-on'),
  RUNNEL_ATTACHMENT_MAX_MB: withDefault(z.coerce.number().min(0).max(100), 10),
  RUNNEL_S3_BUCKET: optionalString,
  RUNNEL_S3_REGION: withDefault(z.string().min(1), 'us-east-1'),
  RUNNEL_S3_ENDPOINT: optionalUrl,
  RUNNEL_S3_ACCESS_KEY_ID: optionalString,
  RUNNEL_S3_SECRET_ACCESS_KEY: optionalString,
  RUNNEL_S3_PREFIX: withDefault(z.string().regex(/^[\w./-]{0,100}$/), ''),
});
type Env = z.infer<typeof EnvSchema>;

/** One entry of RUNNEL_MODELS / RUNNEL_MODELS_FILE. */
const ModelEntrySchema = z
  .object({
    id: z.string().regex(/^[\w.:/-]{1,100}$/, 'use letters, digits and . _ : / - (at most 100)'),
    label: z.string().min(1).max(100).optional(),
    provider: z.enum(['openai', 'openai-compatible', 'anthropic', 'offline']),
    /** The upstream model name; defaults to the id. */
    model: z.string().min(1).optional(),
    baseURL: z.url().optional(),
    /** The environment variable holding this model's key, so keys stay out of the model list. */
    apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
    maxOutputTokens: z.number().int().positive().optional(),
    prices: z.object({ input: z.number().min(0), output: z.number().min(0) }).strict().optional(),
    default: z.boolean().optional(),
    /** Whether the model takes images; defaults to yes for OpenAI, Anthropic and the offline model, no for compatible servers. */
    images: z.boolean().optional(),
  })
  .strict()
  .refine((entry) => entry.provider !== 'openai-compatible' || entry.baseURL, {
    message: 'an openai-compatible model needs a baseURL',
    path: ['baseURL'],
  });
const ModelListSchema = z
  .array(ModelEntrySchema)
  .min(1, 'list at least one model')
  .refine((list) => new Set(list.map((m) => m.id)).size === list.length, 'model ids must be unique');
type ModelEntry = z.infer<typeof ModelEntrySchema>;

/** Anthropic rejects requests without a cap on output; this one fits every current Claude model. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

const OFFLINE_MODEL: ModelConfig = {
  id: 'offline-demo',
  label: 'Offline demo',
  provider: 'offline',
  upstreamModel: 'offline-demo',
  baseURL: undefined,
  apiKey: undefined,
  maxOutputTokens: undefined,
  prices: { input: 0, output: 0 },
  images: true,
};

export function parseConfig(env: Environment): RunnelConfig {
  const e = parseOrThrow(EnvSchema, env, '');
  if (vercelWithoutDatabase(e)) throw new Error(VERCEL_NEEDS_DATABASE);
  // Named as the CLIs name it (databaseUrlIn in lib/db/database.ts).
  const databaseUrl = e.DATABASE_URL ?? e.POSTGRES_URL;
  const onVercel = e.VERCEL !== undefined;
  const models = e.RUNNEL_MODELS || e.RUNNEL_MODELS_FILE ? listedModels(e, env) : environmentModels(e, env);
  return {
    models,
    limits: {
      identity: {
        requestsPerMinute: e.RUNNEL_LIMIT_REQUESTS_PER_MINUTE,
        concurrentStreams: e.RUNNEL_LIMIT_CONCURRENT_STREAMS,
        tokensPerDay: e.RUNNEL_LIMIT_TOKENS_PER_DAY,
      },
      ip: {
        requestsPerMinute: e.RUNNEL_LIMIT_IP_REQUESTS_PER_MINUTE,
        concurrentStreams: e.RUNNEL_LIMIT_IP_CONCURRENT_STREAMS,
        tokensPerDay: e.RUNNEL_LIMIT_IP_TOKENS_PER_DAY,
      },
    },
    redisUrl: e.REDIS_URL ?? e.KV_URL,
    redisPrefix: e.RUNNEL_REDIS_PREFIX,
    trustedProxies: e.RUNNEL_TRUSTED_PROXIES,
    metricsToken: e.RUNNEL_METRICS_TOKEN,
    failedKeysPerIp: e.RUNNEL_LIMIT_IP_FAILED_KEYS,
    defaultModel: models[0]!,
    firstByteTimeoutMs: e.RUNNEL_FIRST_BYTE_TIMEOUT_MS,
    heartbeatMs: e.RUNNEL_HEARTBEAT_MS,
    offlineTokensPerSecond: e.RUNNEL_OFFLINE_TOKENS_PER_SECOND,
    databaseUrl,
    shutdownGraceMs: e.RUNNEL_SHUTDOWN_GRACE_MS,
    databasePoolSize: e.RUNNEL_DATABASE_POOL_SIZE,
    publicUrl: e.RUNNEL_PUBLIC_URL,
    resumeGraceMs: e.RUNNEL_RESUME_GRACE_MS,
    instanceUrl: e.RUNNEL_INSTANCE_URL,
    onVercel,
    dataDir: path.resolve(e.RUNNEL_DATA_DIR),
    authSecret: e.AUTH_SECRET,
    auth: authConfig(e),
    failedSignInsPerIp: e.RUNNEL_LIMIT_IP_FAILED_SIGN_INS,
    attachments: attachmentConfig(e, onVercel),
  };
}

function attachmentConfig(e: Env, onVercel: boolean): AttachmentConfig {
  const maxBytes = Math.round(e.RUNNEL_ATTACHMENT_MAX_MB * 1024 * 1024);
  if (Boolean(e.RUNNEL_S3_ACCESS_KEY_ID) !== Boolean(e.RUNNEL_S3_SECRET_ACCESS_KEY)) {
    throw new Error('Invalid Runnel configuration: set RUNNEL_S3_ACCESS_KEY_ID and RUNNEL_S3_SECRET_ACCESS_KEY together');
  }
  const s3: S3Config | undefined = e.RUNNEL_S3_BUCKET
    ? {
        bucket: e.RUNNEL_S3_BUCKET,
        region: e.RUNNEL_S3_REGION,
        endpoint: e.RUNNEL_S3_ENDPOINT,
        credentials: e.RUNNEL_S3_ACCESS_KEY_ID ? { accessKeyId: e.RUNNEL_S3_ACCESS_KEY_ID, secretAccessKey: e.RUNNEL_S3_SECRET_ACCESS_KEY! } : undefined,
        prefix: e.RUNNEL_S3_PREFIX,
      }
    : undefined;
  // A Vercel function's disk is gone with its instance: a file kept there would be lost.
  const offReason =
    maxBytes === 0
      ? 'Attachments are turned off on this server.'
      : onVercel && !s3
        ? 'Attachments need a bucket on Vercel: the server sets RUNNEL_S3_BUCKET to turn them on.'
        : undefined;
  return { maxBytes: offReason ? 0 : maxBytes, s3, offReason };
}

function authConfig(e: Env): AuthConfig {
  const oidcClient = oauthClient('RUNNEL_OIDC', e.RUNNEL_OIDC_CLIENT_ID, e.RUNNEL_OIDC_CLIENT_SECRET);
  if (Boolean(oidcClient) !== Boolean(e.RUNNEL_OIDC_ISSUER)) {
    throw new Error('Invalid Runnel configuration: set RUNNEL_OIDC_ISSUER, RUNNEL_OIDC_CLIENT_ID and RUNNEL_OIDC_CLIENT_SECRET together');
  }
  return {
    mode: e.RUNNEL_AUTH,
    allowedEmails: parseAllowedEmails(e.RUNNEL_ALLOWED_EMAILS ?? ''),
    github: oauthClient('GITHUB', e.GITHUB_CLIENT_ID, e.GITHUB_CLIENT_SECRET),
    google: oauthClient('GOOGLE', e.GOOGLE_CLIENT_ID, e.GOOGLE_CLIENT_SECRET),
    oidc: oidcClient && { ...oidcClient, issuer: e.RUNNEL_OIDC_ISSUER!, name: e.RUNNEL_OIDC_NAME },
  };
}

function oauthClient(prefix: string, clientId: string | undefined, clientSecret: string | undefined): OAuthClient | undefined {
  if (!clientId && !clientSecret) return undefined;
  if (!clientId || !clientSecret) throw new Error(`Invalid Runnel configuration: set both ${prefix}_CLIENT_ID and ${prefix}_CLIENT_SECRET`);
  return { clientId, clientSecret };
}

/** `ana@example.com, example.org, @example.net` → entries in lower case; a domain keeps no leading @. */
function parseAllowedEmails(list: string): string[] {
  const entries = list
    .split(',')
    .map((entry) => entry.trim().toLowerCase().replace(/^@/, ''))
    .filter(Boolean);
  const bad = entries.find((entry) => !/^([^@\s]+@)?[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(entry));
  if (bad) throw new Error(`Invalid Runnel configuration: RUNNEL_ALLOWED_EMAILS: "${bad}" is neither an email address nor a domain`);
  return entries;
}

/** The simple case: one model per provider whose key (or base URL) is set; else the offline model. */
function environmentModels(e: Env, env: Environment): ModelConfig[] {
  const entries: ModelEntry[] = [];
  if (e.OPENAI_API_KEY || e.OPENAI_BASE_URL) {
    entries.push({ id: e.OPENAI_MODEL, provider: e.OPENAI_BASE_URL ? 'openai-compatible' : 'openai', baseURL: e.OPENAI_BASE_URL });
  }
  if (e.ANTHROPIC_API_KEY) entries.push({ id: e.ANTHROPIC_MODEL, provider: 'anthropic' });
  if (entries.length === 0) return [OFFLINE_MODEL];
  return entries.map((entry) => fromEntry(entry, e, env));
}

/** Several models, from RUNNEL_MODELS (JSON) or the JSON file RUNNEL_MODELS_FILE names. */
function listedModels(e: Env, env: Environment): ModelConfig[] {
  const [source, text] = e.RUNNEL_MODELS
    ? ['RUNNEL_MODELS', e.RUNNEL_MODELS]
    : [`RUNNEL_MODELS_FILE (${e.RUNNEL_MODELS_FILE})`, readModelsFile(e.RUNNEL_MODELS_FILE!)];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`Invalid Runnel configuration: ${source} is not valid JSON (${(error as Error).message})`);
  }
  const entries = parseOrThrow(ModelListSchema, json, `${source}`);
  // The entry marked `default` comes first; otherwise the list's order decides.
  const ordered = [...entries.filter((entry) => entry.default), ...entries.filter((entry) => !entry.default)];
  return ordered.map((entry) => fromEntry(entry, e, env));
}

/** A model from a list entry (or what the environment names), its defaults filled in. */
function fromEntry(entry: ModelEntry, e: Env, env: Environment): ModelConfig {
  if (entry.provider === 'offline') return { ...OFFLINE_MODEL, id: entry.id, label: entry.label ?? OFFLINE_MODEL.label };
  const anthropic = entry.provider === 'anthropic';
  const keyVariable = entry.apiKeyEnv ?? (anthropic ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY');
  const apiKey = unsetIfEmpty(env[keyVariable]) as string | undefined;
  if (entry.provider !== 'openai-compatible' && !apiKey) {
    throw new Error(`Invalid Runnel configuration: model "${entry.id}" needs an API key in ${keyVariable}`);
  }
  return {
    id: entry.id,
    label: entry.label ?? entry.id,
    provider: entry.provider,
    upstreamModel: entry.model ?? entry.id,
    baseURL: entry.baseURL ?? (anthropic ? e.ANTHROPIC_BASE_URL : entry.provider === 'openai' ? e.OPENAI_BASE_URL : undefined),
    apiKey,
    maxOutputTokens: entry.maxOutputTokens ?? (anthropic ? DEFAULT_ANTHROPIC_MAX_TOKENS : undefined),
    prices: entry.prices,
    images: entry.images ?? entry.provider !== 'openai-compatible',
  };
}

function readModelsFile(file: string): string {
  try {
    return readFileSync(path.resolve(file), 'utf8');
  } catch (error) {
    throw new Error(`Invalid Runnel configuration: RUNNEL_MODELS_FILE cannot be read (${(error as Error).message})`);
  }
}

function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, source: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => [source, ...i.path].filter((p) => p !== '').join('.') + `: ${i.message}`);
  throw new Error(`Invalid Runnel configuration: ${problems.join('; ')}`);
}

/** Environment variables; a plain record so tests can pass just the ones they set. */
export type Environment = Record<string, string | undefined>;

let cached: RunnelConfig | undefined;

/** The environment, parsed once per process: read at request time, never at build time. */
export function getConfig(): RunnelConfig {
  return (cached ??= parseConfig(process.env));
}

/** For tests that change the environment between cases. */
export function resetConfig(): void {
  cached = undefined;
}

export function findModel(config: RunnelConfig, id: string): ModelConfig | undefined {
  return config.models.find((model) => model.id === id);
}
