import { routeTestEnvironment } from '@/lib/testing/route-environment';
import { accountTests } from '@/lib/testing/account-tests';

/** Accounts on the embedded database, with in-memory limits (accounts.postgres.test.ts: Postgres and Redis). */
const env = routeTestEnvironment('accounts');

accountTests((extra) => env.configure({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: env.fake.url, OPENAI_MODEL: 'fake-model', ...extra }));
