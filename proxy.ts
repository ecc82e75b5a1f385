import { NextResponse, type NextRequest } from 'next/server';
import { hasSessionCookie, IDENTITY_COOKIE, identityCookie, newIdentityId, signIdentity, verifyIdentity } from '@/lib/auth/identity';
import { authSecret } from '@/lib/auth/secret';
import { contentSecurityPolicy, servedOverHttps, STRICT_TRANSPORT_SECURITY } from '@/lib/security/headers';

/**
 * Every page gets a Content-Security-Policy with a nonce of its own (Next reads it from the
 * request's header and puts it on the scripts it renders), and each browser not signed in its
 * anonymous (guest) identity on its first visit. The new cookie is also put on the request, so the page rendered by this very
 * request already sees it.
 */
export function proxy(request: NextRequest): NextResponse {
  const https = servedOverHttps(request);
  const csp = contentSecurityPolicy(btoa(crypto.randomUUID()), { development: process.env.NODE_ENV === 'development', https });
  request.headers.set('content-security-policy', csp);

  const secret = authSecret();
  let setCookie: string | undefined;
  // A signed-in browser acts as its account; it gets a guest identity again once it signs out.
  const signedIn = hasSessionCookie(request.headers.get('cookie'));
  if (!signedIn && !verifyIdentity(request.cookies.get(IDENTITY_COOKIE)?.value, secret)) {
    const value = signIdentity(newIdentityId(), secret);
    request.cookies.set(IDENTITY_COOKIE, value);
    setCookie = identityCookie(value, { secure: process.env.NODE_ENV === 'production' });
  }
  const response = NextResponse.next({ request: { headers: request.headers } });
  response.headers.set('content-security-policy', csp);
  if (https) response.headers.set('strict-transport-security', STRICT_TRANSPORT_SECURITY);
  if (setCookie) response.headers.append('set-cookie', setCookie);
  return response;
}

// Pages, not API routes or static files.
export const config = { matcher: ['/((?!api/|_next/static|_next/image|favicon.ico).*)'] };
