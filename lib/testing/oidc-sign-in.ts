import { GET as authGet, POST as authPost } from '@/app/api/auth/[...all]/route';

/** Where the route tests' requests to the app go: the handlers are called in-process, at this origin. */
export const APP_ORIGIN = 'http://127.0.0.1';

/**
 * A browser's cookies for one site, enough for the sign-in flows: set, replaced and deleted by
 * Set-Cookie, all sent back (paths are not told apart; nothing here depends on them).
 */
export class CookieJar {
  private readonly values = new Map<string, string>();

  constructor(initial?: string) {
    for (const pair of initial?.split(';') ?? []) this.setPair(pair);
  }

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      const [name] = pair!.split('=');
      if (expired) this.values.delete(name!.trim());
      else this.setPair(pair!);
    }
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  delete(name: string): void {
    this.values.delete(name);
  }

  /** The Cookie header, or undefined when there is nothing to send. */
  header(): string | undefined {
    return this.values.size ? [...this.values].map(([name, value]) => `${name}=${value}`).join('; ') : undefined;
  }

  private setPair(pair: string): void {
    const at = pair.indexOf('=');
    if (at > 0) this.values.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
  }
}

/** How a sign-in through the provider ended: where the app sent the browser, and its answer. */
export interface SignInOutcome {
  location: string;
  response: Response;
}

/**
 * Signs in through an OpenID Connect provider as a browser does: Runnel's sign-in endpoint, the
 * provider's authorize, login and consent pages (forms submitted as a person would), the
 * redirect back to Runnel's callback. `app` is the browser's cookies for Runnel (a guest cookie,
 * say); it holds the session afterwards. Runnel is called in-process; the provider over HTTP.
 */
export async function signInWithOidc(app: CookieJar, email: string, headers: Record<string, string> = {}): Promise<SignInOutcome> {
  const start = await authPost(
    appRequest('/api/auth/sign-in/social', app, { method: 'POST', body: JSON.stringify({ provider: 'oidc', callbackURL: '/' }), headers: { 'content-type': 'application/json', ...headers } }),
  );
  app.store(start);
  const { url } = (await start.json()) as { url?: string };
  if (!url) throw new Error(`sign-in did not start (${start.status})`);
  const provider = new CookieJar();
  let next: { url: string; init?: RequestInit } = { url };
  for (let hop = 0; hop < 20; hop++) {
    if (next.url.startsWith(`${APP_ORIGIN}/`)) {
      const response = await authGet(appRequest(next.url.slice(APP_ORIGIN.length), app, { headers }));
      app.store(response);
      return { location: response.headers.get('location') ?? '', response };
    }
    const response = await fetch(next.url, { ...next.init, redirect: 'manual', headers: { ...(next.init?.headers as Record<string, string>), ...(provider.header() ? { cookie: provider.header()! } : {}) } });
    provider.store(response);
    const location = response.headers.get('location');
    if (location) {
      next = { url: new URL(location, next.url).toString() };
      continue;
    }
    next = submitForm(await response.text(), next.url, email);
  }
  throw new Error('the sign-in flow did not come back to Runnel');
}

export function appRequest(path: string, jar: CookieJar, init: RequestInit & { headers?: Record<string, string> } = {}): Request {
  const cookie = jar.header();
  return new Request(`${APP_ORIGIN}${path}`, { ...init, headers: { host: new URL(APP_ORIGIN).host, ...(cookie ? { cookie } : {}), ...(init.method && init.method !== 'GET' ? { origin: APP_ORIGIN } : {}), ...init.headers } });
}

/** The provider's page's form, filled in: any login (the email) and password, and its hidden fields. */
function submitForm(html: string, pageUrl: string, email: string): { url: string; init: RequestInit } {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`the provider's page has no form: ${html.slice(0, 300)}`);
  const fields = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) fields.set(name!, value!);
  if (/name="login"/.test(html)) {
    fields.set('login', email);
    fields.set('password', 'any');
  }
  return {
    url: new URL(action.replace(/&amp;/g, '&'), pageUrl).toString(),
    init: { method: 'POST', body: fields.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } },
  };
}
