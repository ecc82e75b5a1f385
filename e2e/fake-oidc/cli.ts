import { startFakeOidc } from './provider';

/** Runs the fake OIDC provider on its own: `tsx e2e/fake-oidc/cli.ts --port 4311 --redirect http://localhost:3323/api/auth/callback/oidc …`. */
async function main() {
  const args = process.argv.slice(2);
  const valuesOf = (flag: string) => args.flatMap((arg, i) => (args[i - 1] === flag ? [arg] : []));
  const oidc = await startFakeOidc({ port: Number(valuesOf('--port')[0] ?? 0), redirectUris: valuesOf('--redirect') });
  console.log(`fake OIDC provider listening on ${oidc.issuer}`);
  const stop = () => void oidc.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
