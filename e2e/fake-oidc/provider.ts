import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** A real OpenID Connect provider for the tests (the `oidc-provider` package), on loopback. */
export interface FakeOidc {
  /** The issuer: what RUNNEL_OIDC_ISSUER names. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

export const FAKE_OIDC_CLIENT = { clientId: 'runnel-tests', clientSecret: 'runnel-tests-secret-0123456789' };

/**
 * Starts the provider. Its sign-in page is oidc-provider's own development page, which takes any
 * login: the login given is the person's email (`ana@example.com`), and verified, as a company's
 * identity provider would vouch for it. `redirectUris` are the callbacks Runnel may ask for.
 */
export async function startFakeOidc(options: { port?: number; redirectUris: string[] }): Promise<FakeOidc> {
  const port = options.port ?? 0;
  // The issuer's port must be known before the provider is made: listen first, then mount.
  const mounted: { handler?: RequestListener } = {};
  const server = createServer((req, res) => mounted.handler?.(req, res));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: FAKE_OIDC_CLIENT.clientId,
        client_secret: FAKE_OIDC_CLIENT.clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: () => ({ sub, email: sub, email_verified: true, name: sub.split('@')[0] ?? sub }),
    }),
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['fake-oidc-cookie-key-0123456789'] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
  });
  mounted.handler = provider.callback();
  return {
    issuer,
    ...FAKE_OIDC_CLIENT,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
