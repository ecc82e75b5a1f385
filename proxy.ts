import { NextResponse, type NextRequest } from 'next/server';
import { IDENTITY_COOKIE, identityCookie, newIdentityId, signIdentity, verifyIdentity } from '@/lib/auth/identity';
import { authSecret } from '@/lib/auth/secret';

/**
 * Each browser gets its anonymous identity on its first visit to a page. The new cookie is also
 * put on the request, so the page rendered by this very request already sees it.
 */
export function proxy(request: NextRequest): NextResponse {
  const secret = authSecret();
  if (verifyIdentity(request.cookies.get(IDENTITY_COOKIE)?.value, secret)) return NextResponse.next();
  const value = signIdentity(newIdentityId(), secret);
  request.cookies.set(IDENTITY_COOKIE, value);
  const response = NextResponse.next({ request: { headers: request.headers } });
  response.headers.append('set-cookie', identityCookie(value, { secure: process.env.NODE_ENV === 'production' }));
  return response;
}

export const config = { matcher: ['/', '/c/:path*', '/settings', '/usage'] };
