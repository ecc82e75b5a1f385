import { expect } from 'vitest';
import * as accountExport from '@/app/api/account/export/route';
import * as account from '@/app/api/account/route';
import * as accountSession from '@/app/api/account/sessions/[id]/route';
import * as admin from '@/app/api/admin/keys/route';
import * as attachment from '@/app/api/attachments/[id]/route';
import * as attachments from '@/app/api/attachments/route';
import * as auth from '@/app/api/auth/[...all]/route';
import * as chat from '@/app/api/chat/route';
import * as conversation from '@/app/api/conversations/[id]/route';
import * as exportRoute from '@/app/api/conversations/[id]/export/route';
import * as shareRoute from '@/app/api/conversations/[id]/share/route';
import * as importRoute from '@/app/api/conversations/import/route';
import * as conversations from '@/app/api/conversations/route';
import * as health from '@/app/api/health/route';
import * as instructions from '@/app/api/instructions/route';
import * as live from '@/app/api/health/live/route';
import * as ready from '@/app/api/health/ready/route';
import * as key from '@/app/api/keys/[id]/route';
import * as keys from '@/app/api/keys/route';
import * as metrics from '@/app/api/metrics/route';
import * as completions from '@/app/api/v1/chat/completions/route';
import * as models from '@/app/api/v1/models/route';
import * as share from '@/app/api/shares/[id]/route';
import * as shares from '@/app/api/shares/route';
import { ERROR_STATUS, type ErrorCode } from '@/lib/errors';
import type { FuzzRequest, RouteName } from './requests';

type Handler = (request: Request, context: { params: Promise<{ id: string }> }) => Promise<Response>;

const HANDLERS: Record<RouteName, Partial<Record<string, Handler>> | ((url: string) => Handler)> = {
  chat: { POST: chat.POST },
  'v1.completions': { POST: completions.POST },
  'v1.models': { GET: models.GET },
  'conversations.list': { GET: conversations.GET },
  'conversation.get': { GET: conversation.GET },
  'conversation.patch': { PATCH: conversation.PATCH },
  'conversation.delete': { DELETE: conversation.DELETE },
  'conversation.export': { GET: exportRoute.GET },
  'conversations.import': { POST: importRoute.POST },
  'keys.list': { GET: keys.GET },
  'keys.create': { POST: keys.POST },
  'key.revoke': { DELETE: key.DELETE },
  'admin.keys': { GET: admin.GET, POST: admin.POST, DELETE: admin.DELETE },
  metrics: { GET: metrics.GET },
  health: (url) => (url.endsWith('/live') ? live.GET : url.endsWith('/ready') ? ready.GET : health.GET),
  instructions: { GET: instructions.GET, PUT: instructions.PUT },
  'conversation.share': { POST: shareRoute.POST },
  'shares.list': { GET: shares.GET },
  'share.revoke': { DELETE: share.DELETE },
  'account.export': { GET: accountExport.GET },
  'account.delete': { DELETE: account.DELETE },
  'account.session': { DELETE: accountSession.DELETE },
  auth: { GET: auth.GET, POST: auth.POST },
  'attachments.upload': { POST: attachments.POST },
  'attachment.get': { GET: attachment.GET },
  'attachment.delete': { DELETE: attachment.DELETE },
};

/** Calls the route's handler as Next would: a Request, and the `[id]` parameter already decoded. */
export function dispatch(fuzzed: FuzzRequest): Promise<Response> {
  const entry = HANDLERS[fuzzed.route];
  const handler = typeof entry === 'function' ? entry(fuzzed.url) : entry[fuzzed.method];
  if (!handler) throw new Error(`no ${fuzzed.method} handler for ${fuzzed.route}`);
  const withBody = fuzzed.method !== 'GET' && fuzzed.method !== 'HEAD';
  // The Host a browser at http://127.0.0.1 sends, so that its Origin can be this server's.
  const headers = { host: '127.0.0.1', ...fuzzed.headers };
  const request = new Request(`http://127.0.0.1${fuzzed.url}`, { method: fuzzed.method, headers, body: withBody ? fuzzed.body : undefined });
  return handler(request, { params: Promise.resolve({ id: fuzzed.id ?? '' }) });
}

/** The error shapes: Runnel's own, OpenAI's on /api/v1, better-auth's on /api/auth. */
const isOpenAIRoute = (route: RouteName) => route.startsWith('v1.');

/**
 * What every answer must be, whatever was sent: not a 5xx; an error in its route's JSON shape,
 * with the status its code maps to; and nothing of `secret` (the victim's) in it. Reads the whole
 * body (a stream to its end). Returns the body text.
 */
export async function checkResponse(fuzzed: FuzzRequest, response: Response, secret: string): Promise<string> {
  const text = await response.text();
  expect(response.status, `${fuzzed.route}: ${text.slice(0, 300)}`).toBeLessThan(500);
  expect(text.includes(secret), `${fuzzed.route} leaked the victim's text`).toBe(false);
  if (response.status < 400) return text;
  // better-auth answers an unknown endpoint with an empty 404, and its errors as { code, message }.
  if (fuzzed.route === 'auth') {
    if (text) expect(JSON.parse(text)).toMatchObject({ message: expect.any(String) });
    return text;
  }
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error?: Record<string, unknown> };
  if (isOpenAIRoute(fuzzed.route)) {
    expect(body.error).toMatchObject({ message: expect.any(String), type: expect.any(String) });
    expect(body.error).toHaveProperty('param');
    expect(body.error).toHaveProperty('code');
  } else {
    expect(body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    expect(ERROR_STATUS[body.error!.code as ErrorCode], `${String(body.error!.code)} is a known code with its status`).toBe(response.status);
  }
  return text;
}
