import { startFakeOidc } from './provider';

// `tsx e2e/fake-oidc/cli.ts --port 4311 --redirect http://localhost:3323/api/auth/oauth2/callback/oidc …`
const args = process.argv.slice(2);
const valuesOf = (flag: string) => args.flatMap((arg, i) => (args[i - 1] === flag ? [arg] : []));
const oidc = await startFakeOidc({ port: Number(valuesOf('--port')[0] ?? 0), redirectUris: valuesOf('--redirect') });
console.log(`fake OIDC provider listening on ${oidc.issuer}`);
