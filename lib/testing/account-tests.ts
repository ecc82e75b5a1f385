import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GET as exportAccount } from '@/app/api/account/export/route';
import { DELETE as deleteAccountRoute } from '@/app/api/account/route';
import { DELETE as signOutSession } from '@/app/api/account/sessions/[id]/route';
import { GET as getAttachment } from '@/app/api/attachments/[id]/route';
import { POST as uploadAttachment } from '@/app/api/attachments/route';
import { GET as authGet, POST as authPost } from '@/app/api/auth/[...all]/route';
import { POST as chat } from '@/app/api/chat/route';
import { POST as stopReply } from '@/app/api/chat/[id]/stop/route';
import { GET as resumeStream } from '@/app/api/chat/[id]/stream/route';
import { DELETE as deleteConversation, GET as getConversation, PATCH as renameConversation } from '@/app/api/conversations/[id]/route';
import { GET as exportConversation } from '@/app/api/conversations/[id]/export/route';
import { GET as listConversations } from '@/app/api/conversations/route';
import { GET as listKeys, POST as createKey } from '@/app/api/keys/route';
import { POST as completions } from '@/app/api/v1/chat/completions/route';
import { startFakeOidc, type FakeOidc } from '@/e2e/fake-oidc/provider';
import { attachmentIdOf } from '@/lib/attachments/parts';
import { getFileStore } from '@/lib/attachments/store';
import { mergeGuestIntoAccount } from '@/lib/auth/account-data';
import { getDatabase } from '@/lib/db';
import { queryRows } from '@/lib/db/database';
import { chatBody, readChunks } from './chat-client';
import { APP_ORIGIN, appRequest, CookieJar, signInWithOidc } from './oidc-sign-in';
import { waitFor } from './wait-for';

/**
 * Accounts, through the route handlers and a real OpenID Connect provider, on whichever database
 * (and limit store) `configure` names: the embedded one (accounts.test.ts) and PostgreSQL with
 * Redis (accounts.postgres.test.ts).
 */
export function accountTests(configure: (env: Record<string, string>) => void): void {
  let oidc: FakeOidc;
  beforeAll(async () => {
    oidc = await startFakeOidc({ redirectUris: [`${APP_ORIGIN}/api/auth/callback/oidc`] });
  });
  afterAll(() => oidc?.close());
  const setUp = (env: Record<string, string> = {}) =>
    configure({ RUNNEL_OIDC_ISSUER: oidc.issuer, RUNNEL_OIDC_CLIENT_ID: oidc.clientId, RUNNEL_OIDC_CLIENT_SECRET: oidc.clientSecret, ...env });
  const email = (name: string) => `${name}-${Math.random().toString(36).slice(2, 8)}@example.com`;

  /** A chat as the browser holding `jar`; returns its conversation once the reply and its usage are stored. */
  const chatAs = async (jar: CookieJar, text = 'hello [[fake tokens=3]]') => {
    const body = chatBody(text);
    const response = await chat(appRequest('/api/chat', jar, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }));
    jar.store(response);
    expect(response.status).toBe(200);
    await readChunks(response);
    await waitFor(async () => (await usageOf(body.id)).at(0));
    return body.id;
  };
  const conversationsOf = async (jar: CookieJar) => {
    const response = await listConversations(appRequest('/api/conversations', jar));
    return ((await response.json()) as { conversations: { id: string }[] }).conversations.map((c) => c.id).sort();
  };
  const keyAs = async (jar: CookieJar, name: string) => {
    const response = await createKey(appRequest('/api/keys', jar, { method: 'POST', body: JSON.stringify({ name }), headers: { 'content-type': 'application/json' } }));
    jar.store(response);
    expect(response.status).toBe(201);
    return ((await response.json()) as { key: string; summary: { id: string } });
  };
  /** A chat completion through /api/v1 with an API key. */
  const completionWith = (key: string, content: string) =>
    completions(
      new Request(`${APP_ORIGIN}/api/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content }] }),
      }),
    );
  const usageOf = async (conversationId: string) =>
    queryRows<{ identity_id: string | null }>(await getDatabase(), sql`select identity_id from usage_records where conversation_id = ${conversationId}`);
  const sessionUser = async (jar: CookieJar) => {
    const response = await authGet(appRequest('/api/auth/get-session', jar));
    return ((await response.json()) as { user?: { id: string } } | null)?.user?.id;
  };
  /** Uploads a file as the browser holding `jar`; returns its id. */
  const uploadAs = async (jar: CookieJar, name: string) => {
    const form = new FormData();
    form.append('file', new Blob(['notes of ' + name]), name);
    const response = await uploadAttachment(appRequest('/api/attachments', jar, { method: 'POST', body: form }));
    jar.store(response);
    expect(response.status).toBe(201);
    return attachmentIdOf(((await response.json()) as { url: string }).url)!;
  };
  const fileAs = (jar: CookieJar, id: string) => getAttachment(appRequest(`/api/attachments/${id}`, jar), { params: Promise.resolve({ id }) });
  const identityRow = async (id: string) => (await queryRows<{ kind: string }>(await getDatabase(), sql`select kind from identities where id = ${id}`)).at(0);
  const signIn = async (jar: CookieJar, address: string) => {
    const outcome = await signInWithOidc(jar, address);
    expect(outcome.location).toBe('/');
    const userId = await sessionUser(jar);
    expect(userId).toBeDefined();
    return userId!;
  };

  test('signing in moves a guest’s conversations, API keys, files and usage into the account; a second guest browser adds its own', async () => {
    setUp();
    const laptop = new CookieJar();
    const laptopChat = await chatAs(laptop);
    const key = await keyAs(laptop, 'laptop-bot');
    const file = await uploadAs(laptop, 'draft.txt');
    const guestCookie = laptop.get('runnel_identity')!;
    const guestId = /^([^.]+)/.exec(decodeURIComponent(guestCookie))![1]!;
    const person = email('ana');

    const accountId = await signIn(laptop, person);
    // The guest cookie is cleared with the sign-in; the guest identity owns nothing any more.
    expect(laptop.get('runnel_identity')).toBeUndefined();
    expect(await conversationsOf(new CookieJar(`runnel_identity=${guestCookie}`))).toEqual([]);
    expect(await identityRow(accountId)).toEqual({ kind: 'account' });
    expect(await conversationsOf(laptop)).toEqual([laptopChat]);
    expect((await usageOf(laptopChat))[0]!.identity_id).toBe(accountId);
    const keys = ((await (await listKeys(appRequest('/api/keys', laptop))).json()) as { keys: { id: string }[] }).keys;
    expect(keys.map((k) => k.id)).toEqual([key.summary.id]);
    expect((await fileAs(laptop, file)).status).toBe(200);
    // The key acts as the account now: its API conversations are the account's.
    const viaKey = await completionWith(key.key, 'via key [[fake tokens=2]]');
    expect(viaKey.status).toBe(200);
    await viaKey.text();
    expect(await conversationsOf(laptop)).toHaveLength(2);

    const phone = new CookieJar();
    const phoneChat = await chatAs(phone);
    expect(await signIn(phone, person)).toBe(accountId);
    const everything = (await conversationsOf(laptop)).filter((id) => id !== laptopChat && id !== phoneChat);
    expect(everything).toHaveLength(1); // the API conversation
    expect(await conversationsOf(phone)).toEqual(await conversationsOf(laptop));
    expect(await conversationsOf(phone)).toEqual(expect.arrayContaining([laptopChat, phoneChat]));

    // Merging again (the same guest, or any guest with nothing left) moves nothing and duplicates nothing.
    expect(await mergeGuestIntoAccount(await getDatabase(), guestId, accountId)).toEqual({ conversations: 0, apiKeys: 0, usageRecords: 0 });
    expect(await conversationsOf(laptop)).toHaveLength(3);
  });

  test('a guest cookie planted before someone signs in opens nothing of their account', async () => {
    setUp();
    const attacker = new CookieJar();
    await chatAs(attacker);
    const planted = attacker.get('runnel_identity')!;
    const victim = new CookieJar(`runnel_identity=${planted}`);
    const victimId = await signIn(victim, email('victim'));
    const victimChat = await chatAs(victim);
    expect(await conversationsOf(victim)).toContain(victimChat);
    // The attacker still holds the cookie's value: it acts as nobody who has anything.
    expect(await conversationsOf(attacker)).toEqual([]);
    const peek = await getConversation(appRequest(`/api/conversations/${victimChat}`, attacker), { params: Promise.resolve({ id: victimChat }) });
    expect(peek.status).toBe(404);
    expect(await sessionUser(attacker)).toBeUndefined();
    expect(victimId).toBeDefined();
  });

  test('sign out everywhere ends the other browser’s session; signing one session out ends just that one', async () => {
    setUp();
    const person = email('bo');
    const laptop = new CookieJar();
    const phone = new CookieJar();
    const tablet = new CookieJar();
    await signIn(laptop, person);
    await signIn(phone, person);
    await signIn(tablet, person);
    const conversation = await chatAs(laptop);
    expect(await conversationsOf(phone)).toEqual([conversation]);

    // One session out, by its id, from the laptop's account page.
    const sessions = await queryRows<{ id: string }>(await getDatabase(), sql`select id from auth_sessions where token = ${tokenOf(tablet)}`);
    const out = await signOutSession(appRequest(`/api/account/sessions/${sessions[0]!.id}`, laptop, { method: 'DELETE' }), { params: Promise.resolve({ id: sessions[0]!.id }) });
    expect(out.status).toBe(204);
    expect(await sessionUser(tablet)).toBeUndefined();
    expect(await sessionUser(phone)).toBeDefined();

    const everywhere = await authPost(appRequest('/api/auth/revoke-sessions', laptop, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }));
    expect(everywhere.status).toBe(200);
    expect(await sessionUser(phone)).toBeUndefined();
    expect(await sessionUser(laptop)).toBeUndefined();
    expect(await conversationsOf(phone)).toEqual([]);
  });

  test('another account’s session cannot be signed out by id', async () => {
    setUp();
    const ana = new CookieJar();
    const bo = new CookieJar();
    await signIn(ana, email('ana'));
    await signIn(bo, email('bo'));
    const [boSession] = await queryRows<{ id: string }>(await getDatabase(), sql`select id from auth_sessions where token = ${tokenOf(bo)}`);
    const response = await signOutSession(appRequest(`/api/account/sessions/${boSession!.id}`, ana, { method: 'DELETE' }), { params: Promise.resolve({ id: boSession!.id }) });
    expect(response.status).toBe(404);
    expect(await sessionUser(bo)).toBeDefined();
    const garbage = '\0\ud800';
    expect((await signOutSession(appRequest('/api/account/sessions/x', ana, { method: 'DELETE' }), { params: Promise.resolve({ id: garbage }) })).status).toBe(404);
  });

  test('export has every conversation; deleting the account removes conversations, keys, files and sessions and keeps usage, unlinked', async () => {
    setUp();
    const jar = new CookieJar();
    const accountId = await signIn(jar, email('cy'));
    const first = await chatAs(jar, 'first [[fake tokens=2]]');
    const second = await chatAs(jar, 'second [[fake tokens=2]]');
    await keyAs(jar, 'cy-bot');
    const file = await uploadAs(jar, 'cy.txt');

    const exported = await exportAccount(appRequest('/api/account/export', jar));
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toMatch(/attachment; filename="runnel-export-/);
    const data = (await exported.json()) as { account: { email: string }; conversations: { id: string; messages: { parts: { text: string }[] }[] }[]; apiKeys: { name: string }[] };
    expect(data.account.email).toMatch(/^cy-/);
    expect(data.conversations.map((c) => c.id).sort()).toEqual([first, second].sort());
    expect(data.conversations.find((c) => c.id === first)!.messages[0]!.parts[0]!.text).toBe('first [[fake tokens=2]]');
    expect(data.apiKeys.map((k) => k.name)).toEqual(['cy-bot']);

    const response = await deleteAccountRoute(appRequest('/api/account', jar, { method: 'DELETE' }));
    expect(response.status).toBe(204);
    expect(response.headers.getSetCookie().some((c) => /runnel\.session_token=;/.test(c) || /session_token=.*Max-Age=0/i.test(c))).toBe(true);
    const db = await getDatabase();
    const count = async (table: string, column: string) =>
      Number((await queryRows<{ n: string }>(db, sql`select count(*) as n from ${sql.identifier(table)} where ${sql.identifier(column)} = ${accountId}`))[0]!.n);
    expect(await count('conversations', 'identity_id')).toBe(0);
    expect(await count('api_keys', 'identity_id')).toBe(0);
    expect(await count('auth_sessions', 'user_id')).toBe(0);
    expect(await count('users', 'id')).toBe(0);
    expect(await count('identities', 'id')).toBe(0);
    expect(await count('attachments', 'identity_id')).toBe(0);
    expect(await getFileStore().get(file)).toBeUndefined();
    const usage = [...(await usageOf(first)), ...(await usageOf(second))];
    expect(usage).toHaveLength(2);
    expect(usage.every((row) => row.identity_id === null)).toBe(true);
  });

  test('one account’s conversation is another’s 404 on every route', async () => {
    setUp();
    const ana = new CookieJar();
    const bo = new CookieJar();
    await signIn(ana, email('ana'));
    await signIn(bo, email('bo'));
    const id = await chatAs(ana);
    const params = { params: Promise.resolve({ id }) };
    const statuses = [
      (await getConversation(appRequest(`/api/conversations/${id}`, bo), params)).status,
      (await renameConversation(appRequest(`/api/conversations/${id}`, bo, { method: 'PATCH', body: JSON.stringify({ title: 'mine' }), headers: { 'content-type': 'application/json' } }), params)).status,
      (await deleteConversation(appRequest(`/api/conversations/${id}`, bo, { method: 'DELETE' }), params)).status,
      (await exportConversation(appRequest(`/api/conversations/${id}/export`, bo), params)).status,
      (await resumeStream(appRequest(`/api/chat/${id}/stream`, bo), params)).status,
      (await stopReply(appRequest(`/api/chat/${id}/stop`, bo, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }), params)).status,
    ];
    expect(statuses).toEqual([404, 404, 404, 404, 404, 404]);
    const body = { ...chatBody('into ana’s chat'), id };
    const intrusion = await chat(appRequest('/api/chat', bo, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }));
    expect(intrusion.status).toBe(404);
    expect(await conversationsOf(ana)).toEqual([id]);
    expect(await conversationsOf(bo)).toEqual([]);
  });

  test('members only (RUNNEL_AUTH=required): guests are refused the chat and the API, members are not', async () => {
    setUp();
    const guest = new CookieJar();
    await chatAs(guest);
    const guestKey = await keyAs(guest, 'guest-bot');
    setUp({ RUNNEL_AUTH: 'required' });

    const refused = await chat(appRequest('/api/chat', guest, { method: 'POST', body: JSON.stringify(chatBody('hi')), headers: { 'content-type': 'application/json' } }));
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('sign_in_required');
    const anonymous = await chat(appRequest('/api/chat', new CookieJar(), { method: 'POST', body: JSON.stringify(chatBody('hi')), headers: { 'content-type': 'application/json' } }));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.getSetCookie()).toEqual([]);
    expect((await listConversations(appRequest('/api/conversations', guest))).status).toBe(401);
    const api = await completionWith(guestKey.key, 'hi');
    expect(api.status).toBe(401);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('sign_in_required');

    const member = new CookieJar();
    await signIn(member, email('member'));
    await chatAs(member);
    const memberKey = await keyAs(member, 'member-bot');
    const allowed = await completionWith(memberKey.key, 'hi [[fake tokens=2]]');
    expect(allowed.status).toBe(200);
    await allowed.text();
  });

  test('the allowlist lets its emails and domains in and keeps others out, with no account made', async () => {
    const allowed = email('ana');
    setUp({ RUNNEL_ALLOWED_EMAILS: `example.com, boss@elsewhere.test` });
    expect(await signIn(new CookieJar(), allowed)).toBeDefined();
    expect(await signIn(new CookieJar(), 'boss@elsewhere.test')).toBeDefined();

    const outsider = new CookieJar();
    const outcome = await signInWithOidc(outsider, 'eve@evil.test');
    expect(outcome.location).toMatch(/^\/sign-in\?error=EMAIL_NOT_ALLOWED/);
    expect(await sessionUser(outsider)).toBeUndefined();
    const users = await queryRows(await getDatabase(), sql`select 1 from users where email = 'eve@evil.test'`);
    expect(users).toEqual([]);
    // A subdomain is not its parent domain.
    expect((await signInWithOidc(new CookieJar(), 'mallory@corp.example.com.evil.test')).location).toMatch(/error=EMAIL_NOT_ALLOWED/);
  });

  test('session cookies are HttpOnly and SameSite=Lax, and Secure in production', async () => {
    setUp();
    const jar = new CookieJar();
    const { response } = await signInWithOidc(jar, email('dee'));
    const session = response.headers.getSetCookie().find((c) => c.startsWith('runnel.session_token='));
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);

    setUp({ NODE_ENV: 'production', AUTH_SECRET: 'production-secret-0123456789abcdef' });
    const production = await signInWithOidc(new CookieJar(), email('dee'));
    const secure = production.response.headers.getSetCookie().find((c) => /session_token=/.test(c));
    expect(secure).toMatch(/^__Secure-runnel\.session_token=.*; Secure/i);
    expect(secure).toMatch(/HttpOnly/i);
  });

  test('auth endpoints refuse requests from another site’s page (CSRF)', async () => {
    setUp();
    const jar = new CookieJar();
    await signIn(jar, email('eli'));
    const forged = await authPost(appRequest('/api/auth/revoke-sessions', jar, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', origin: 'https://evil.example' } }));
    expect(forged.status).toBe(403);
    expect(await sessionUser(jar)).toBeDefined();
    const deletion = await deleteAccountRoute(appRequest('/api/account', jar, { method: 'DELETE', headers: { origin: 'https://evil.example' } }));
    expect(deletion.status).toBe(403);
    expect(await sessionUser(jar)).toBeDefined();
  });

  test('failed sign-ins are limited per address', async () => {
    setUp({ RUNNEL_LIMIT_IP_FAILED_SIGN_INS: '3' });
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    const failedCallback = (ip: string) => authGet(appRequest('/api/auth/callback/oidc?code=forged&state=forged', new CookieJar(), { headers: from(ip) }));
    for (let i = 0; i < 3; i++) expect((await failedCallback('203.0.113.7')).headers.get('location')).toMatch(/error=/);
    const refused = await failedCallback('203.0.113.7');
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { message: string }).message).toMatch(/Too many failed sign-ins from this address/);
    // Another address is not held to the first one's failures.
    expect((await signInWithOidc(new CookieJar(), email('fay'), from('198.51.100.4'))).location).toBe('/');
  });
}

/** The session token a browser's cookie carries (the part before the signature). */
function tokenOf(jar: CookieJar): string {
  return decodeURIComponent(jar.get('runnel.session_token')!).split('.')[0]!;
}
