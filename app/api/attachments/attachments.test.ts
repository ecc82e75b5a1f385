import { describe } from 'vitest';
import { attachmentModels, attachmentTests } from '@/lib/testing/attachment-tests';
import { routeTestEnvironment } from '@/lib/testing/route-environment';

// The embedded path: PGlite, files on disk under the data directory.
const env = routeTestEnvironment('attachments');

describe('attachments (PGlite, files on disk)', () => {
  attachmentTests(
    (extra) => env.configure({ ...attachmentModels(env.fake), ...extra }),
    () => env.fake,
  );
});
