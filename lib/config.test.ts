import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { parseConfig, type Environment } from './config';

const ids = (env: Environment) => parseConfig(env).models.map((m) => `${m.id}:${m.provider}`);

test('with no provider configured, the offline model is the only one', () => {
  expect(ids({})).toEqual(['offline-demo:offline']);
  expect(ids({ OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '' })).toEqual(['offline-demo:offline']);
});

test('the simple case: one model per provider whose key is set, OpenAI first', () => {
  expect(ids({ OPENAI_API_KEY: 'sk', ANTHROPIC_API_KEY: 'ak' })).toEqual(['gpt-4o-mini:openai', 'claude-sonnet-4-5:anthropic']);
  expect(ids({ OPENAI_BASE_URL: 'http://localhost:11434/v1', OPENAI_MODEL: 'llama3.2' })).toEqual(['llama3.2:openai-compatible']);
  const claude = parseConfig({ ANTHROPIC_API_KEY: 'ak', ANTHROPIC_MODEL: 'claude-haiku-4-5' }).defaultModel;
  expect(claude).toMatchObject({ id: 'claude-haiku-4-5', apiKey: 'ak', maxOutputTokens: 4096, prices: undefined });
});

test('RUNNEL_MODELS lists several models with prices; the one marked default comes first', () => {
  const config = parseConfig({
    OPENAI_API_KEY: 'sk',
    LOCAL_KEY: 'lk',
    RUNNEL_MODELS: JSON.stringify([
      { id: 'mini', label: 'GPT-4o mini', provider: 'openai', model: 'gpt-4o-mini', prices: { input: 0.15, output: 0.6 } },
      { id: 'local', provider: 'openai-compatible', baseURL: 'http://127.0.0.1:8000/v1', apiKeyEnv: 'LOCAL_KEY', default: true },
    ]),
  });
  expect(config.defaultModel).toMatchObject({ id: 'local', label: 'local', upstreamModel: 'local', apiKey: 'lk', baseURL: 'http://127.0.0.1:8000/v1' });
  expect(config.models[1]).toMatchObject({ id: 'mini', upstreamModel: 'gpt-4o-mini', apiKey: 'sk', prices: { input: 0.15, output: 0.6 } });
});

test('RUNNEL_MODELS_FILE reads the same list from a file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'runnel-config-'));
  try {
    const file = path.join(dir, 'models.json');
    writeFileSync(file, JSON.stringify([{ id: 'demo', provider: 'offline' }]));
    expect(ids({ RUNNEL_MODELS_FILE: file })).toEqual(['demo:offline']);
    expect(() => parseConfig({ RUNNEL_MODELS_FILE: path.join(dir, 'missing.json') })).toThrow(/RUNNEL_MODELS_FILE cannot be read/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test.each([
  ['not JSON', '[{', /RUNNEL_MODELS is not valid JSON/],
  ['an empty list', '[]', /list at least one model/],
  ['an unknown provider', '[{"id":"x","provider":"gemini"}]', /RUNNEL_MODELS\.0\.provider/],
  ['a compatible model without baseURL', '[{"id":"x","provider":"openai-compatible"}]', /needs a baseURL/],
  ['a repeated id', '[{"id":"x","provider":"offline"},{"id":"x","provider":"offline"}]', /unique/],
  ['an unknown field', '[{"id":"x","provider":"offline","price":1}]', /price/],
  ['a missing key', '[{"id":"x","provider":"anthropic"}]', /model "x" needs an API key in ANTHROPIC_API_KEY/],
])('a model list with %s fails at start with a message naming it', (_name, list, message) => {
  expect(() => parseConfig({ RUNNEL_MODELS: list })).toThrow(message);
});

test('deployment settings: Vercel needs a real database and takes its integrations\u2019 variable names; shutdown grace and public URL', () => {
  expect(() => parseConfig({ VERCEL: '1' })).toThrow(/on Vercel, Runnel needs a PostgreSQL database.*DATABASE_URL or POSTGRES_URL/);
  const vercel = parseConfig({ VERCEL: '1', POSTGRES_URL: 'postgres://neon.example/db?sslmode=require', KV_URL: 'rediss://default:pw@kv.example:6379' });
  expect(vercel).toMatchObject({ onVercel: true, databaseUrl: 'postgres://neon.example/db?sslmode=require', redisUrl: 'rediss://default:pw@kv.example:6379' });
  // The plain names win where both are set.
  expect(parseConfig({ DATABASE_URL: 'postgres://a/db', POSTGRES_URL: 'postgres://b/db', REDIS_URL: 'redis://a', KV_URL: 'redis://b' })).toMatchObject({ databaseUrl: 'postgres://a/db', redisUrl: 'redis://a' });
  expect(parseConfig({})).toMatchObject({ onVercel: false, databaseUrl: undefined, shutdownGraceMs: 25_000, publicUrl: undefined });
  expect(parseConfig({ RUNNEL_SHUTDOWN_GRACE_MS: '5000', RUNNEL_PUBLIC_URL: 'https://chat.example.com' })).toMatchObject({ shutdownGraceMs: 5000, publicUrl: 'https://chat.example.com' });
  expect(() => parseConfig({ RUNNEL_SHUTDOWN_GRACE_MS: '-1' })).toThrow(/RUNNEL_SHUTDOWN_GRACE_MS/);
});

test('accounts: guests welcome by default; members-only, the allowlist and providers from the environment', () => {
  expect(parseConfig({}).auth).toEqual({ mode: 'open', allowedEmails: [], github: undefined, google: undefined, oidc: undefined });
  const auth = parseConfig({
    RUNNEL_AUTH: 'required',
    RUNNEL_ALLOWED_EMAILS: ' Ana@Example.com, @example.org ,team.example.net',
    GITHUB_CLIENT_ID: 'gh',
    GITHUB_CLIENT_SECRET: 'gh-secret',
    RUNNEL_OIDC_ISSUER: 'https://login.example.com/realms/team',
    RUNNEL_OIDC_CLIENT_ID: 'runnel',
    RUNNEL_OIDC_CLIENT_SECRET: 'oidc-secret',
  }).auth;
  expect(auth.mode).toBe('required');
  expect(auth.allowedEmails).toEqual(['ana@example.com', 'example.org', 'team.example.net']);
  expect(auth.github).toEqual({ clientId: 'gh', clientSecret: 'gh-secret' });
  expect(auth.oidc).toEqual({ issuer: 'https://login.example.com/realms/team', clientId: 'runnel', clientSecret: 'oidc-secret', name: 'Single sign-on' });
});

test('accounts: settings Runnel cannot use stop it with a message naming them', () => {
  expect(() => parseConfig({ RUNNEL_AUTH: 'closed' })).toThrow(/RUNNEL_AUTH/);
  expect(() => parseConfig({ RUNNEL_ALLOWED_EMAILS: 'example.com, not an address' })).toThrow(/RUNNEL_ALLOWED_EMAILS: "not an address"/);
  expect(() => parseConfig({ GITHUB_CLIENT_ID: 'gh' })).toThrow(/set both GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET/);
  expect(() => parseConfig({ RUNNEL_OIDC_ISSUER: 'https://login.example.com' })).toThrow(/RUNNEL_OIDC_ISSUER, RUNNEL_OIDC_CLIENT_ID and RUNNEL_OIDC_CLIENT_SECRET together/);
  expect(() => parseConfig({ RUNNEL_OIDC_CLIENT_ID: 'a', RUNNEL_OIDC_CLIENT_SECRET: 'b' })).toThrow(/together/);
});

test('which models take images: vendors and the offline model yes, compatible servers only when the list says', () => {
  const images = (env: Environment) => parseConfig(env).models.map((m) => `${m.id}:${m.images}`);
  expect(images({})).toEqual(['offline-demo:true']);
  expect(images({ OPENAI_API_KEY: 'sk', ANTHROPIC_API_KEY: 'ak' })).toEqual(['gpt-4o-mini:true', 'claude-sonnet-4-5:true']);
  expect(images({ OPENAI_BASE_URL: 'http://localhost:11434/v1', OPENAI_MODEL: 'llama3.2' })).toEqual(['llama3.2:false']);
  const listed = JSON.stringify([
    { id: 'llava', provider: 'openai-compatible', baseURL: 'http://127.0.0.1:11434/v1', images: true },
    { id: 'blind', provider: 'openai', images: false },
  ]);
  expect(images({ OPENAI_API_KEY: 'sk', RUNNEL_MODELS: listed })).toEqual(['llava:true', 'blind:false']);
});

test('attachments: on disk by default, in a bucket when named; off when asked, and on Vercel without a bucket', () => {
  expect(parseConfig({}).attachments).toEqual({ maxBytes: 10 * 1024 * 1024, s3: undefined, offReason: undefined });
  const bucket = { RUNNEL_S3_BUCKET: 'files', RUNNEL_S3_ENDPOINT: 'http://127.0.0.1:9000', RUNNEL_S3_ACCESS_KEY_ID: 'id', RUNNEL_S3_SECRET_ACCESS_KEY: 'secret', RUNNEL_S3_PREFIX: 'runnel/' };
  expect(parseConfig({ ...bucket, RUNNEL_ATTACHMENT_MAX_MB: '2' }).attachments).toEqual({
    maxBytes: 2 * 1024 * 1024,
    s3: { bucket: 'files', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', credentials: { accessKeyId: 'id', secretAccessKey: 'secret' }, prefix: 'runnel/' },
    offReason: undefined,
  });
  expect(parseConfig({ RUNNEL_ATTACHMENT_MAX_MB: '0' }).attachments).toMatchObject({ maxBytes: 0, offReason: 'Attachments are turned off on this server.' });
  const vercel = { VERCEL: '1', DATABASE_URL: 'postgres://db/runnel' };
  expect(parseConfig(vercel).attachments).toMatchObject({ maxBytes: 0, offReason: expect.stringMatching(/RUNNEL_S3_BUCKET/) });
  expect(parseConfig({ ...vercel, RUNNEL_S3_BUCKET: 'files' }).attachments.maxBytes).toBe(10 * 1024 * 1024);
  expect(() => parseConfig({ RUNNEL_S3_BUCKET: 'files', RUNNEL_S3_ACCESS_KEY_ID: 'id' })).toThrow(/RUNNEL_S3_ACCESS_KEY_ID and RUNNEL_S3_SECRET_ACCESS_KEY together/);
});
