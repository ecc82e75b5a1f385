import { beforeEach, describe } from 'vitest';
import { routeTestEnvironment } from '@/lib/testing/route-environment';
import { textBoundaryTests } from '@/lib/testing/text-boundary-tests';

const env = routeTestEnvironment('text');
beforeEach(() => env.configure({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: env.fake.url, OPENAI_MODEL: 'fake-model' }));

describe('text PostgreSQL refuses, at every boundary (embedded PGlite)', () => textBoundaryTests(() => env.fake));
