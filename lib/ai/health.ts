import 'server-only';
import type { RunnelConfig } from '@/lib/config';
import { providerFor } from './providers';
import type { Provider } from './providers/types';

export interface ProviderReport {
  model: string;
  label: string;
  ok: boolean;
  latencyMs: number;
  reason?: string;
}

export interface HealthReport {
  /** `ok` when the default model's provider answers. */
  status: 'ok' | 'unavailable';
  checkedAt: string;
  providers: ProviderReport[];
}

const CHECK_TIMEOUT_MS = 2000;
/** Health is polled (load balancers, uptime checks): one upstream check per this long, shared. */
export const HEALTH_CACHE_MS = 5000;

let cached: { at: number; report: Promise<HealthReport> } | undefined;

export function checkHealth(config: RunnelConfig): Promise<HealthReport> {
  if (cached && performance.now() - cached.at < HEALTH_CACHE_MS) return cached.report;
  const report = runChecks(config);
  cached = { at: performance.now(), report };
  return report;
}

/** For tests that change the upstream between checks. */
export function resetHealthCache(): void {
  cached = undefined;
}

async function runChecks(config: RunnelConfig): Promise<HealthReport> {
  // Models served by one endpoint share its provider: it is checked once for all of them.
  const checks = new Map<Provider, ReturnType<typeof checkProvider>>();
  const providers = await Promise.all(
    config.models.map(async (model) => {
      const provider = providerFor(model, config);
      if (!checks.has(provider)) checks.set(provider, checkProvider(provider));
      return { ...(await checks.get(provider)!), model: model.id, label: model.label };
    }),
  );
  const defaultOk = providers.find((p) => p.model === config.defaultModel.id)?.ok ?? false;
  return { status: defaultOk ? 'ok' : 'unavailable', checkedAt: new Date().toISOString(), providers };
}

async function checkProvider(provider: Provider): Promise<Omit<ProviderReport, 'model' | 'label'>> {
  const started = performance.now();
  const signal = AbortSignal.timeout(CHECK_TIMEOUT_MS);
  const health = await provider.health(signal);
  const latencyMs = Math.round(performance.now() - started);
  if (health.ok) return { ok: true, latencyMs };
  const reason = signal.aborted ? `The model provider did not answer within ${CHECK_TIMEOUT_MS / 1000} s.` : health.reason;
  return { ok: false, latencyMs, reason };
}
