import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { parse } from 'yaml';
import { readRuntimeStage } from '@/e2e/deploy/image';
import { NGINX_CONFIG } from '@/e2e/deploy/nginx';
import { parseConfig } from '@/lib/config';

/**
 * compose.yaml cannot be run here (no Docker daemon); its parts are (e2e/container.spec.ts,
 * e2e/nginx.spec.ts). This checks what ties it to them, so that the file people run does not
 * drift from what was tested.
 */
interface Service {
  image?: string;
  build?: string;
  deploy?: { replicas?: number };
  env_file?: { path: string; required: boolean }[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  stop_grace_period?: string;
  ports?: string[];
  volumes?: string[];
}
const compose = parse(readFileSync('compose.yaml', 'utf8')) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const { app, postgres, redis, nginx } = compose.services as Record<'app' | 'postgres' | 'redis' | 'nginx', Service>;
const seconds = (duration: string) => Number(/^(\d+)s$/.exec(duration)?.[1]);

test('two app replicas from the Dockerfile, secrets from .env, PostgreSQL and Redis, nginx on one published port with the repo\u2019s configuration', () => {
  expect(app.build).toBe('.');
  expect(app.deploy?.replicas).toBe(2);
  expect(app.env_file).toEqual([{ path: '.env', required: true }]);
  expect(JSON.stringify(app.environment)).not.toMatch(/AUTH_SECRET|API_KEY/);
  expect(app.environment).toMatchObject({ REDIS_URL: 'redis://redis:6379', RUNNEL_TRUSTED_PROXIES: '1' });
  expect(app.environment?.DATABASE_URL).toMatch(/^postgres:\/\/runnel:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\/runnel$/);
  expect(postgres.volumes).toEqual(['postgres-data:/var/lib/postgresql/data']);
  expect(compose.volumes).toHaveProperty('postgres-data');
  expect(nginx.ports).toEqual(['${RUNNEL_PORT:-8080}:80']);
  expect(nginx.volumes).toEqual([`./${NGINX_CONFIG}:/etc/nginx/conf.d/default.conf:ro`]);
});

test('health decides order and restarts; a stop waits longer than the app drains', () => {
  expect(app.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
  expect(nginx.depends_on).toEqual({ app: { condition: 'service_healthy' } });
  for (const service of [app, postgres, redis, nginx]) {
    expect(service.healthcheck?.test.length).toBeGreaterThan(0);
    expect(service.restart).toBe('unless-stopped');
  }
  // compose checks readiness (draining → out of rotation); the image's own HEALTHCHECK is liveness.
  expect(app.healthcheck!.test.join(' ')).toContain('/api/health/ready');
  expect(readRuntimeStage().healthcheck.join(' ')).toContain('/api/health/live');
  const graceMs = parseConfig({ RUNNEL_SHUTDOWN_GRACE_MS: app.environment?.RUNNEL_SHUTDOWN_GRACE_MS }).shutdownGraceMs;
  expect(seconds(app.stop_grace_period!) * 1000).toBeGreaterThanOrEqual(graceMs + 5000);
});

test('the image runs as an unprivileged user, exec-form CMD, with a HEALTHCHECK', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\} AS runtime$/m);
  expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:(20|22)-bookworm-slim$/m);
  expect(dockerfile).toMatch(/^USER node$/m);
  expect(readRuntimeStage().cmd).toEqual(['node', 'server.js']);
});
