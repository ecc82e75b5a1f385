/**
 * `npm run fuzz -- --cases 50000 --seed 7`: the route fuzzer (app/api/routes.fuzz.test.ts) for
 * longer than `npm test` runs it, or with another seed. A counterexample it prints (with its seed
 * and path, to replay it) belongs in a plain regression test.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '20000' }, seed: { type: 'string', default: String(Date.now() % 1_000_000) } } });
for (const [name, value] of Object.entries(values)) {
  if (!/^\d+$/.test(value)) {
    console.error(`--${name} takes a whole number (got "${value}")`);
    process.exit(2);
  }
}
console.log(`Fuzzing every route: ${values.cases} cases, seed ${values.seed}`);
const run = spawnSync('npx', ['vitest', 'run', 'app/api/routes.fuzz.test.ts'], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_CASES: values.cases, FUZZ_SEED: values.seed },
});
process.exit(run.status ?? 1);
