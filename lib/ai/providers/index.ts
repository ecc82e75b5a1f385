import 'server-only';
import type { ModelConfig, RunnelConfig } from '@/lib/config';
import { createOfflineProvider } from './offline';
import { createOpenAIProvider } from './openai';
import type { Provider } from './types';

const providers = new Map<string, Provider>();

/** One provider instance per kind and configuration, so HTTP connections are pooled across requests. */
export function providerFor(model: ModelConfig, config: RunnelConfig): Provider {
  const key = model.provider;
  let provider = providers.get(key);
  if (!provider) {
    provider =
      model.provider === 'offline'
        ? createOfflineProvider({ tokensPerSecond: config.offlineTokensPerSecond })
        : createOpenAIProvider({ ...config.openai, timeoutMs: config.firstByteTimeoutMs });
    providers.set(key, provider);
  }
  return provider;
}

/** For tests that change the configuration between cases. */
export function resetProviders(): void {
  providers.clear();
}
