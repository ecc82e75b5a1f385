/**
 * `npm run build` ends here: the CLIs (`keys`, `db:migrate`) bundled into plain JavaScript in
 * .next/cli, so that a production image runs them with `node`, without TypeScript tooling or the
 * full node_modules. PGlite stays outside the bundle: it loads its WASM from its own folder,
 * which the standalone server's node_modules already holds.
 */
import path from 'node:path';
import { build } from 'esbuild';

const CLIS = { keys: 'lib/cli/keys.ts', migrate: 'lib/db/migrate.ts' };

build({
  entryPoints: CLIS,
  outdir: path.join('.next', 'cli'),
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  // CommonJS: bundled packages (pg, @next/env) use require() and __dirname.
  format: 'cjs',
  target: 'node20',
  alias: { '@': '.' },
  external: ['@electric-sql/pglite', 'pg-native'],
  logLevel: 'warning',
}).then(
  () => console.log(`CLIs bundled into .next/cli: ${Object.keys(CLIS).join(', ')}`),
  () => process.exit(1),
);
