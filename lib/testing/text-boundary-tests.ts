import { messageText } from '@/lib/chat/message';
import { eq, sql } from 'drizzle-orm';
import { expect, test } from 'vitest';
import { POST as chat } from '@/app/api/chat/route';
import { PATCH as updateConversation, GET as getConversationRoute } from '@/app/api/conversations/[id]/route';
import { POST as importConversation } from '@/app/api/conversations/import/route';
import { POST as createKey } from '@/app/api/keys/route';
import { POST as completions } from '@/app/api/v1/chat/completions/route';
import type { FakeUpstreamProcess } from '@/e2e/fake-upstream/process';
import { expectedText, parseScenario } from '@/e2e/fake-upstream/scenario';
import { createApiKey } from '@/lib/auth/api-keys';
import { getDatabase } from '@/lib/db';
import { queryRows } from '@/lib/db/database';
import { apiKeys, conversations, messages } from '@/lib/db/schema';
import { storableText } from '@/lib/text/storable';
import { chatBody, chatRequest, randomId, readChunks } from './chat-client';
import { waitFor } from './wait-for';

/** Text that turns up in pasted text, binary files and model output, and what the rule makes of it. */
export const HOSTILE_TEXTS: Record<string, [sent: string, stored: string]> = {
  NUL: ['before\0after', 'before\uFFFDafter'],
  'lone high surrogate': ['x\ud800y', 'x\uFFFDy'],
  'lone low surrogate': ['x\udc00y', 'x\uFFFDy'],
  'reversed pair': ['\udc00\ud83d', '\uFFFD\uFFFD'],
  noncharacters: ['\uffff\ufdd0\ufffe', '\uffff\ufdd0\ufffe'],
  'right-to-left': ['שלום עולם مرحبا', 'שלום עולם مرحبا'],
  'combining marks': ['e\u0301 a\u0308 n\u0303', 'e\u0301 a\u0308 n\u0303'],
  'emoji sequences': ['👩‍💻 🎉 𝒳', '👩‍💻 🎉 𝒳'],
};

/**
 * Every boundary where text enters storage, with what PostgreSQL refuses, run against whichever
 * database the environment names: the embedded one (text.test.ts) and a real Postgres
 * (text.postgres.test.ts). The stored text read back must be what the rule (lib/text/storable.ts)
 * says, and what goes upstream the same.
 */
export function textBoundaryTests(getFake: () => FakeUpstreamProcess): void {
  const cookieOf = (response: Response) => response.headers.get('set-cookie')!.split(';')[0]!;
  const storedTexts = async (conversationId: string, role: string) =>
    (await (await getDatabase()).select().from(messages).where(eq(messages.conversationId, conversationId))).filter((m) => m.role === role).map(messageText);
  const json = (body: unknown, headers: Record<string, string> = {}) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  test('the chat route: the question is stored, titled and sent upstream as the rule says, and answered', async () => {
    for (const [name, [sent, stored]] of Object.entries(HOSTILE_TEXTS)) {
      const tag = randomId('text');
      const body = chatBody(`${sent} [[fake id=${tag} tokens=2]]`);
      const response = await chat(chatRequest(body));
      expect(response.status, name).toBe(200);
      await readChunks(response);
      expect(await storedTexts(body.id, 'user'), name).toEqual([`${stored} [[fake id=${tag} tokens=2]]`]);
      expect((await getFake().record(tag))?.messages.at(-1)?.content, name).toBe(`${stored} [[fake id=${tag} tokens=2]]`);
      const [conversation] = await (await getDatabase()).select().from(conversations).where(eq(conversations.id, body.id));
      expect(conversation?.title, name).toBe(`${stored} [[fake id=${tag} tokens=2]]`.replace(/\s+/g, ' ').trim());
    }
  });

  test('the model output: NUL, lone and reversed surrogates in deltas are stored as the rule says, and a pair split across deltas whole', async () => {
    const prompt = '[[fake tokens=7 text=hostile]]';
    const body = chatBody(prompt);
    const response = await chat(chatRequest(body));
    const { chunks } = await readChunks(response);
    expect(chunks.at(-1)?.type).toBe('finish');
    const [reply] = await waitFor(async () => {
      const rows = await (await getDatabase()).select().from(messages).where(eq(messages.conversationId, body.id));
      const done = rows.filter((m) => m.role === 'assistant' && m.status === 'done');
      return done.length ? done : undefined;
    });
    const text = messageText(reply!);
    expect(text).toBe(storableText(expectedText(parseScenario(prompt))));
    expect(text).toContain('split:😀 ');
    expect(text).toContain('a\uFFFDb ');
  });

  test('the API: messages are stored and sent upstream as the rule says', async () => {
    const { key } = await createApiKey(await getDatabase(), { name: 'text' });
    const [sent, stored] = HOSTILE_TEXTS.NUL!;
    const tag = randomId('v1-text');
    const response = await completions(
      new Request('http://127.0.0.1/api/v1/chat/completions', json({ model: 'fake-model', messages: [{ role: 'system', content: sent }, { role: 'user', content: `${sent} [[fake id=${tag} tokens=1]]` }] }, { authorization: `Bearer ${key}` })),
    );
    expect(response.status).toBe(200);
    expect((await getFake().record(tag))?.messages.map((m) => m.content)).toEqual([stored, `${stored} [[fake id=${tag} tokens=1]]`]);
    const rows = await queryRows<{ text: string }>(await getDatabase(), sql`select parts->0->>'text' as text from messages where parts->0->>'text' like ${`%${tag}%`}`);
    expect(rows.map((r) => r.text)).toEqual([`${stored} [[fake id=${tag} tokens=1]]`]);
  });

  test('import, rename and key names store what the rule says; ids that are not plain identifiers are refused by name (400) or are nobody’s (404)', async () => {
    const [sent, stored] = HOSTILE_TEXTS['lone high surrogate']!;
    const exported = {
      format: 'runnel.conversation',
      version: 1,
      title: sent,
      model: null,
      activeLeafId: 'm1',
      messages: [{ id: 'm1', parentId: null, role: 'user', parts: [{ type: 'text', text: `${sent}\0` }], createdAt: new Date().toISOString() }],
    };
    const imported = await importConversation(new Request('http://127.0.0.1/api/conversations/import', json(exported)));
    expect(imported.status).toBe(201);
    const cookie = cookieOf(imported);
    const { id } = (await imported.json()) as { id: string };
    expect(await storedTexts(id, 'user')).toEqual([`${stored}\uFFFD`]);
    const [conversation] = await (await getDatabase()).select().from(conversations).where(eq(conversations.id, id));
    expect(conversation?.title).toBe(`${stored} (imported)`);

    const renamed = await updateConversation(new Request(`http://127.0.0.1/api/conversations/${id}`, { ...json({ title: 'new\0name' }, { cookie }), method: 'PATCH' }), { params: Promise.resolve({ id }) });
    expect(renamed.status).toBe(204);
    const [after] = await (await getDatabase()).select().from(conversations).where(eq(conversations.id, id));
    expect(after?.title).toBe('new\uFFFDname');

    const created = await createKey(new Request('http://127.0.0.1/api/keys', json({ name: 'bot\0\udfff' }, { cookie })));
    expect(created.status).toBe(201);
    const { summary } = (await created.json()) as { summary: { id: string } };
    const [keyRow] = await (await getDatabase()).select().from(apiKeys).where(eq(apiKeys.id, summary.id));
    expect(keyRow?.name).toBe('bot\uFFFD\uFFFD');

    const badId = await chat(chatRequest(chatBody('hello', { id: 'chat\0x' })));
    expect(badId.status).toBe(400);
    expect((await badId.json()).error).toEqual({ code: 'invalid_request', message: 'id: use letters, digits and - _ . : ~ only' });
    // A leading U+FEFF would come back from the embedded database without it, naming nothing.
    expect((await chat(chatRequest(chatBody('hello', { id: '\ufeffchat' })))).status).toBe(400);
    const badImport = await importConversation(new Request('http://127.0.0.1/api/conversations/import', json({ ...exported, activeLeafId: 'm\ud800' })));
    expect(badImport.status).toBe(400);
    const nobody = await getConversationRoute(new Request('http://127.0.0.1/api/conversations/x', { headers: { cookie } }), { params: Promise.resolve({ id: 'x\0' }) });
    expect(nobody.status).toBe(404);
  });
}
