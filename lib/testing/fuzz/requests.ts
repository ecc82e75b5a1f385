import fc from 'fast-check';

/** The identities a fuzzed request may act as: none, a forged one, or the attacker's own. Never the victim's. */
export interface FuzzWorld {
  attackerCookie: string;
  attackerKey: string;
  attackerConversationId: string;
  victimConversationId: string;
  victimKeyPrefix: string;
}

export type RouteName =
  | 'chat'
  | 'v1.completions'
  | 'v1.models'
  | 'conversations.list'
  | 'conversation.get'
  | 'conversation.patch'
  | 'conversation.delete'
  | 'conversation.export'
  | 'conversations.import'
  | 'keys.list'
  | 'keys.create'
  | 'key.revoke'
  | 'admin.keys'
  | 'metrics'
  | 'health'
  | 'instructions'
  | 'conversation.share'
  | 'shares.list'
  | 'share.revoke'
  | 'account.export'
  | 'account.delete'
  | 'account.session'
  | 'attachments.upload'
  | 'attachment.get'
  | 'attachment.delete'
  | 'auth';

export interface FuzzRequest {
  route: RouteName;
  method: string;
  /** Path and query, as a client would send them. */
  url: string;
  /** The `[id]` route parameter, decoded as Next would decode it. */
  id?: string;
  headers: Record<string, string>;
  body?: string;
}

/** Characters that have broken or could break something: what PostgreSQL refuses, direction marks, SQL and path syntax. */
const SPECIAL = ['\0', '\ud800', '\udc00', '\udfff\ud800', '\uffff', '\ufeff', '\u202e', 'e\u0301', '😀', '👩‍💻', '%', '_', '\\', "'", '"', '/', '..', '%00', '\n', '\r\n', '\t', ' '];
const unit = fc.oneof({ weight: 6, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) }, { weight: 3, arbitrary: fc.constantFrom(...SPECIAL) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) });
/** Text as people paste it and as it should never break anything. */
export const hostileText = (maxLength = 40) => fc.string({ unit, maxLength });

/** Mostly a well-formed identifier, sometimes anything. */
const idLike = (max = 12) => fc.oneof({ weight: 5, arbitrary: fc.stringMatching(new RegExp(`^[A-Za-z0-9_-]{1,${max}}$`)) }, { weight: 1, arbitrary: hostileText(max) });

const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  hostileText(60),
  fc.constantFrom('', '{', '{"id":', 'null', '[]', '{"messages":[{}]}', '\u0000', '{"id":"\\ud800"}'),
);

/** better-auth's endpoints (and one it does not have), as lib/auth/auth.ts configures them. */
const AUTH_PATHS = [
  '/api/auth/get-session',
  '/api/auth/sign-in/social',
  '/api/auth/sign-out',
  '/api/auth/list-sessions',
  '/api/auth/revoke-session',
  '/api/auth/revoke-sessions',
  '/api/auth/update-user',
  '/api/auth/link-social',
  '/api/auth/unlink-account',
  '/api/auth/callback/oidc?code=forged&state=forged',
  '/api/auth/passkey/generate-register-options?context=%00%F0%9F%98%80',
  '/api/auth/passkey/verify-registration',
  '/api/auth/passkey/generate-authenticate-options',
  '/api/auth/passkey/verify-authentication',
  '/api/auth/passkey/delete-passkey',
  '/api/auth/no-such-endpoint',
];

/** Requests to every route that takes input: mostly well-formed with hostile contents, some garbage. */
export function requestArbitrary(world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  // Mostly what a real client sends, so that most requests get past the gates to what is behind them.
  const cookie = fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 5, arbitrary: fc.constant(world.attackerCookie) },
    { weight: 1, arbitrary: hostileText(30).map((value) => `runnel_identity=${value}`) },
    { weight: 1, arbitrary: fc.uuid().map((id) => `runnel_identity=${id}.forged`) },
    { weight: 1, arbitrary: hostileText(40).map((value) => `runnel.session_token=${value}`) },
  );
  const origin = fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constant('http://127.0.0.1') },
    { weight: 1, arbitrary: fc.constantFrom('https://evil.example', 'null', 'garbage') },
    { weight: 1, arbitrary: hostileText(20) },
  );
  const contentType = fc.oneof({ weight: 8, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/json; charset=utf-8', '') });
  const authorization = fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 6, arbitrary: fc.constant(`Bearer ${world.attackerKey}`) },
    { weight: 1, arbitrary: hostileText(50).map((value) => `Bearer ${value}`) },
    { weight: 1, arbitrary: hostileText(20) },
  );
  const forwardedFor = fc.oneof(fc.constant(undefined), fc.ipV4(), hostileText(20));
  const headers = fc.record({ cookie, origin, contentType, authorization, forwardedFor }).map(({ cookie, origin, contentType, authorization, forwardedFor }) => {
    const result: Record<string, string> = {};
    // Headers cannot carry every character; what a client cannot send is left out.
    const put = (name: string, value: string | undefined) => {
      if (value !== undefined && /^[\t\x20-\x7e\x80-\xff]*$/.test(value)) result[name] = value;
    };
    put('cookie', cookie);
    put('origin', origin);
    put('content-type', contentType);
    put('authorization', authorization);
    put('x-forwarded-for', forwardedFor);
    return result;
  });
  const id = fc.oneof(
    { weight: 2, arbitrary: fc.constant(world.victimConversationId) },
    { weight: 3, arbitrary: fc.constant(world.attackerConversationId) },
    { weight: 3, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: hostileText(30) },
  );
  const trigger = fc.oneof({ weight: 6, arbitrary: fc.constant('submit-message') }, { weight: 2, arbitrary: fc.constant('regenerate-message') }, { weight: 1, arbitrary: hostileText(10) });
  const rare = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
  const message = fc.record({
    id: idLike(),
    role: fc.oneof({ weight: 8, arbitrary: fc.constantFrom('user', 'assistant') }, { weight: 1, arbitrary: fc.constantFrom('system', 'tool', '') }),
    parts: fc.array(
      fc.oneof(
        { weight: 6, arbitrary: fc.record({ type: fc.constant('text'), text: hostileText() }) },
        { weight: 1, arbitrary: fc.record({ type: hostileText(10) }) },
        { weight: 1, arbitrary: fc.record({ type: fc.constant('file'), mediaType: hostileText(10), url: fc.oneof(fc.uuid().map((id) => `/api/attachments/${id}`), hostileText(40)) }) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
      ),
      { maxLength: 3 },
    ),
  });
  const chatBody = fc.oneof(
    { weight: 3, arbitrary: fc.record({ id, trigger, text: hostileText(), messages: fc.array(message, { maxLength: 3 }), model: rare(fc.oneof(fc.constant('fake-model'), hostileText(10))) }).map(({ text, messages, ...rest }) =>
        // A valid last message, so that many requests reach storage and the upstream; kept short.
        JSON.stringify({ ...rest, messages: [...messages, { id: `u-${text.length}`, role: 'user', parts: [{ type: 'text', text: `${text} [[fake tokens=2]]` }] }] }),
      ) },
    { weight: 1, arbitrary: jsonish },
  );
  const completionBody = fc.oneof(
    { weight: 3, arbitrary: fc.record({ model: fc.oneof({ weight: 4, arbitrary: fc.constant('fake-model') }, { weight: 1, arbitrary: hostileText(10) }), stream: fc.boolean(), system: hostileText(), text: hostileText(), temperature: rare(fc.double()), n: rare(fc.integer()) }).map(({ system, text, ...rest }) =>
        JSON.stringify({ ...rest, messages: [{ role: 'system', content: system }, { role: 'user', content: `${text} [[fake tokens=2]]` }] }),
      ) },
    // Images the server must neither fetch nor choke on.
    { weight: 1, arbitrary: fc.record({ text: hostileText(), url: fc.oneof(hostileText(40), fc.constantFrom('http://127.0.0.1:6379/', 'file:///etc/passwd', 'data:image/png;base64,iVBORw0KGgo=', 'data:,x', 'https://example.invalid/a.png')) }).map(({ text, url }) =>
        JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: [{ type: 'text', text: `${text} [[fake tokens=2]]` }, { type: 'image_url', image_url: { url } }] }] }),
      ) },
    { weight: 1, arbitrary: jsonish },
  );
  const importBody = fc.oneof(
    { weight: 2, arbitrary: fc.record({ title: hostileText(), text: hostileText(), id: idLike(), parentId: rare(idLike()), activeLeafId: fc.oneof(fc.constant('same'), idLike()), status: fc.constantFrom('done', 'streaming', 'interrupted', 'bogus') }).map(({ title, text, id, parentId, activeLeafId, status }) =>
        JSON.stringify({
          format: 'runnel.conversation',
          version: 1,
          title,
          model: null,
          activeLeafId: activeLeafId === 'same' ? id : activeLeafId,
          messages: [{ id, parentId: parentId ?? null, role: 'user', parts: [{ type: 'text', text }], status, createdAt: new Date(0).toISOString() }],
        }),
      ) },
    { weight: 1, arbitrary: jsonish },
  );
  // A multipart upload whose file's name and bytes are hostile (sent with its multipart type, below), or garbage.
  const uploadBody = fc.oneof(
    { weight: 3, arbitrary: fc.record({ name: hostileText(20), content: fc.oneof(hostileText(200), fc.constantFrom('%PDF-1.4\n%%EOF', '\x89PNG\r\n\x1a\n', 'GIF89a', 'MZ\x90\x00')) }).map(({ name, content }) =>
        `--fuzz\r\nContent-Disposition: form-data; name="file"; filename="${name.replace(/["\r\n]/g, '_')}"\r\nContent-Type: image/png\r\n\r\n${content}\r\n--fuzz--\r\n`,
      ) },
    { weight: 1, arbitrary: jsonish },
  );
  const patchBody = fc.oneof(
    hostileText().map((title) => JSON.stringify({ title })),
    idLike().map((activeLeafId) => JSON.stringify({ activeLeafId })),
    hostileText(100).map((systemPrompt) => JSON.stringify({ systemPrompt })),
    jsonish,
  );
  const query = (name: string) => fc.option(hostileText(30).map((value) => `?${name}=${encodeURIComponent(value.toWellFormed())}`), { nil: '' });

  const route = <R extends RouteName>(name: R, method: string | fc.Arbitrary<string>, url: fc.Arbitrary<string>, extra: { id?: boolean; body?: fc.Arbitrary<string> } = {}) =>
    fc.record({ method: typeof method === 'string' ? fc.constant(method) : method, url, headers, id: extra.id ? id : fc.constant(undefined), body: extra.body ?? fc.constant(undefined) }).map(
      (request): FuzzRequest => ({ route: name, ...request }),
    );

  return fc.oneof(
    { weight: 6, arbitrary: route('chat', 'POST', fc.constant('/api/chat'), { body: chatBody }) },
    { weight: 4, arbitrary: route('v1.completions', 'POST', fc.constant('/api/v1/chat/completions'), { body: completionBody }) },
    { weight: 1, arbitrary: route('v1.models', 'GET', fc.constant('/api/v1/models')) },
    { weight: 2, arbitrary: route('conversations.list', 'GET', query('q').map((q) => `/api/conversations${q}`)) },
    { weight: 2, arbitrary: route('conversation.get', 'GET', fc.constant('/api/conversations/x'), { id: true }) },
    { weight: 2, arbitrary: route('conversation.patch', 'PATCH', fc.constant('/api/conversations/x'), { id: true, body: patchBody }) },
    { weight: 1, arbitrary: route('conversation.delete', 'DELETE', fc.constant('/api/conversations/x'), { id: true }) },
    { weight: 1, arbitrary: route('conversation.export', 'GET', query('format').map((q) => `/api/conversations/x/export${q}`), { id: true }) },
    { weight: 2, arbitrary: route('conversations.import', 'POST', fc.constant('/api/conversations/import'), { body: importBody }) },
    { weight: 1, arbitrary: route('keys.list', 'GET', fc.constant('/api/keys')) },
    { weight: 1, arbitrary: route('keys.create', 'POST', fc.constant('/api/keys'), { body: fc.oneof(hostileText().map((name) => JSON.stringify({ name })), jsonish) }) },
    { weight: 1, arbitrary: route('key.revoke', 'DELETE', fc.constant('/api/keys/x'), { id: true }) },
    { weight: 1, arbitrary: route('admin.keys', fc.constantFrom('GET', 'POST', 'DELETE'), query('key').map((q) => `/api/admin/keys${q}`), { body: jsonish }) },
    { weight: 1, arbitrary: route('metrics', 'GET', fc.constant('/api/metrics')) },
    { weight: 1, arbitrary: route('health', 'GET', fc.constantFrom('/api/health', '/api/health/live', '/api/health/ready')) },
    { weight: 1, arbitrary: route('instructions', fc.constantFrom('GET', 'PUT'), fc.constant('/api/instructions'), { body: fc.oneof(hostileText(100).map((instructions) => JSON.stringify({ instructions })), jsonish) }) },
    { weight: 1, arbitrary: route('conversation.share', 'POST', fc.constant('/api/conversations/x/share'), { id: true }) },
    { weight: 1, arbitrary: route('shares.list', 'GET', fc.constant('/api/shares')) },
    { weight: 1, arbitrary: route('share.revoke', 'DELETE', fc.constant('/api/shares/x'), { id: true }) },
    { weight: 1, arbitrary: route('account.export', 'GET', fc.constant('/api/account/export')) },
    { weight: 1, arbitrary: route('account.delete', 'DELETE', fc.constant('/api/account')) },
    { weight: 1, arbitrary: route('account.session', 'DELETE', fc.constant('/api/account/sessions/x'), { id: true }) },
    { weight: 3, arbitrary: route('auth', fc.constantFrom('GET', 'POST'), fc.constantFrom(...AUTH_PATHS), { body: jsonish }) },
    { weight: 2, arbitrary: route('attachments.upload', 'POST', fc.constant('/api/attachments'), { body: uploadBody }) },
    { weight: 1, arbitrary: route('attachment.get', 'GET', fc.constant('/api/attachments/x'), { id: true }) },
    { weight: 1, arbitrary: route('attachment.delete', 'DELETE', fc.constant('/api/attachments/x'), { id: true }) },
  )
    .map((request) => (request.route === 'key.revoke' && request.id === world.victimConversationId ? { ...request, id: world.victimKeyPrefix } : request))
    .map((request) => (request.body?.startsWith('--fuzz') ? { ...request, headers: { ...request.headers, 'content-type': 'multipart/form-data; boundary=fuzz' } } : request));
}
