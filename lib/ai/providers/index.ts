import 'server-only';
import type { ModelConfig, RunnelConfig } from '@/lib/config';
import { createAnthropicProvider } from './anthropic';
import { createOfflineProvider } from './offline';
import { createOpenAIProvider } from './openai';
import type { Provider } from './types';

const providers = new Map<string, Provider>();

/**
 * One provider instance per endpoint (kind, base URL and key), shared by every model served there,
 * so HTTP connections are pooled across requests and models.
 */
export function providerFor(model: ModelConfig, config: RunnelConfig): Provider {
  const key = JSON.stringify([model.provider, model.baseURL, model.apiKey]);
  let provider = providers.get(key);
  if (!provider) {
    provider = createProvider(model, config);
    providers.set(key, provider);
  }
  return provider;
}

function createProvider(model: ModelConfig, config: RunnelConfig): Provider {
  const endpoint = { apiKey: model.apiKey, baseURL: model.baseURL, timeoutMs: config.firstByteTimeoutMs };
  switch (model.provider) {
    case 'offline':
      return createOfflineProvider({ tokensPerSecond: config.offlineTokensPerSecond });
    case 'anthropic':
      return createAnthropicProvider(endpoint);
    case 'openai':
      return createOpenAIProvider({ ...endpoint, flavor: 'openai' });
    case 'openai-compatible':
      return createOpenAIProvider({ ...endpoint, flavor: 'compatible' });
  }
}

/** For tests that change the configuration between cases. */
export function resetProviders(): void {
  providers.clear();
}
