import { beforeEach } from 'vitest';
import { routeTestEnvironment } from '@/lib/testing/route-environment';
import { pricedModels, usageTests } from '@/lib/testing/usage-tests';

/** Usage accounting on the embedded database, with in-memory limits (usage.postgres.test.ts: Postgres and Redis). */
const env = routeTestEnvironment('usage');
beforeEach(() => env.configure({ OPENAI_API_KEY: 'sk-test', ANTHROPIC_API_KEY: 'sk-ant-test', RUNNEL_MODELS: pricedModels(env.fake) }));

usageTests();
