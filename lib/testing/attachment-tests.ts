import { expect, test } from 'vitest';
import { POST as uploadRoute } from '@/app/api/attachments/route';
import { DELETE as deleteAttachmentRoute, GET as attachmentRoute } from '@/app/api/attachments/[id]/route';
import { POST as chatRoute } from '@/app/api/chat/route';
import { DELETE as deleteConversationRoute, GET as conversationRoute } from '@/app/api/conversations/[id]/route';
import type { FakeUpstreamProcess } from '@/e2e/fake-upstream/process';
import { attachmentIdOf } from '@/lib/attachments/parts';
import { getFileStore } from '@/lib/attachments/store';
import type { AttachmentPart } from '@/lib/chat/message';
import { chatRequest, randomId, readChunks } from './chat-client';
import { CookieJar } from './oidc-sign-in';
import { pdfWithText, PNG_BYTES } from './sample-files';

const BASE = 'http://127.0.0.1';

/** A browser as the routes see it: the guest cookie the server handed out, sent back. */
class Guest {
  private readonly jar = new CookieJar();

  headers(): Record<string, string> {
    const cookie = this.jar.header();
    return cookie ? { cookie } : {};
  }

  keep(response: Response): Response {
    this.jar.store(response);
    return response;
  }

  async upload(bytes: Uint8Array | string, name: string, declaredType = 'application/octet-stream'): Promise<Response> {
    const form = new FormData();
    form.append('file', new Blob([typeof bytes === 'string' ? bytes : new Uint8Array(bytes)], { type: declaredType }), name);
    return this.keep(await uploadRoute(new Request(`${BASE}/api/attachments`, { method: 'POST', body: form, headers: this.headers() })));
  }

  async attach(bytes: Uint8Array | string, name: string, declaredType?: string): Promise<AttachmentPart> {
    const response = await this.upload(bytes, name, declaredType);
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()) as AttachmentPart;
  }

  async chat(conversationId: string, text: string, files: AttachmentPart[], model: string, history: unknown[] = []): Promise<Response> {
    const message = { id: randomId('u'), role: 'user', parts: [...files, { type: 'text', text }] };
    return this.keep(await chatRoute(chatRequest({ id: conversationId, messages: [...history, message], model }, { headers: this.headers() })));
  }

  file(part: AttachmentPart, method: 'GET' | 'DELETE' = 'GET'): Promise<Response> {
    const request = new Request(`${BASE}${part.url}`, { method, headers: this.headers() });
    const params = Promise.resolve({ id: attachmentIdOf(part.url)! });
    return method === 'GET' ? attachmentRoute(request, { params }) : deleteAttachmentRoute(request, { params });
  }

  async conversation(id: string, method: 'GET' | 'DELETE' = 'GET'): Promise<Response> {
    const request = new Request(`${BASE}/api/conversations/${id}`, { method, headers: this.headers() });
    return method === 'GET' ? conversationRoute(request, { params: Promise.resolve({ id }) }) : deleteConversationRoute(request, { params: Promise.resolve({ id }) });
  }
}

/** The models attachmentTests needs, on the fake upstream. */
export const attachmentModels = (fake: FakeUpstreamProcess): Record<string, string> => ({
  ANTHROPIC_API_KEY: 'sk-ant-test',
  RUNNEL_MODELS: JSON.stringify([
    { id: 'gpt', label: 'GPT (fake)', provider: 'openai-compatible', model: 'fake-model', baseURL: fake.url, images: true },
    { id: 'claude', provider: 'anthropic', model: 'fake-claude', baseURL: fake.anthropicUrl },
    { id: 'text-only', label: 'Text only (fake)', provider: 'openai-compatible', model: 'fake-text', baseURL: fake.url },
  ]),
});

const stored = async (part: AttachmentPart) => getFileStore().get(attachmentIdOf(part.url)!);

/**
 * Attachments through the routes, run against each database and file store (attachments.test.ts:
 * PGlite and disk; attachments.postgres.test.ts: PostgreSQL and an S3 server). `configure` sets the
 * environment, with the models of attachmentModels.
 */
export function attachmentTests(configure: (extra?: Record<string, string>) => void, fake: () => FakeUpstreamProcess): void {
  test('an image reaches the model as an image part, kept with the message and in its history', async () => {
    configure();
    const me = new Guest();
    // Named and declared as text: the content says PNG, and PNG it is.
    const image = await me.attach(PNG_BYTES, 'photo.txt', 'text/plain');
    expect(image).toMatchObject({ type: 'file', mediaType: 'image/png', filename: 'photo.txt', size: PNG_BYTES.length });
    expect(image).not.toHaveProperty('tokens');

    const conversationId = randomId('chat');
    const first = await me.chat(conversationId, 'What colour? [[fake id=att-img-1 tokens=3]]', [image], 'gpt');
    expect(first.status).toBe(200);
    expect((await readChunks(first)).failure).toBeUndefined();
    expect((await fake().record('att-img-1'))?.messages).toEqual([
      { role: 'user', content: 'What colour? [[fake id=att-img-1 tokens=3]]', images: [{ mediaType: 'image/png', bytes: PNG_BYTES.length }] },
    ]);

    const shown = (await (await me.conversation(conversationId)).json()) as { messages: { id: string; parts: unknown[] }[] };
    expect(shown.messages[0]!.parts[0]).toEqual(image);
    const file = await me.file(image);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await file.arrayBuffer()).equals(PNG_BYTES)).toBe(true);

    // The next question carries the conversation's image again, from storage.
    const second = await me.chat(conversationId, 'And now? [[fake id=att-img-2 tokens=2]]', [], 'gpt', shown.messages);
    await readChunks(second);
    expect((await fake().record('att-img-2'))?.messages[0]?.images).toEqual([{ mediaType: 'image/png', bytes: PNG_BYTES.length }]);
  });

  test('Anthropic gets image blocks', async () => {
    configure();
    const me = new Guest();
    const image = await me.attach(PNG_BYTES, 'red.png', 'image/png');
    await readChunks(await me.chat(randomId('chat'), 'Describe [[fake id=att-claude tokens=2]]', [image], 'claude'));
    const record = await fake().record('att-claude');
    expect(record).toMatchObject({ api: 'anthropic' });
    expect(record?.messages[0]?.images).toEqual([{ mediaType: 'image/png', bytes: PNG_BYTES.length }]);
  });

  test("a PDF's text and a text file's reach the model, named; the parts say their size in tokens", async () => {
    configure();
    const me = new Guest();
    const pdf = await me.attach(pdfWithText('The secret word is marmalade.'), 'notes.pdf', 'application/pdf');
    const csv = await me.attach('city,people\nZurich,443000\n', 'cities.csv', '');
    expect(pdf).toMatchObject({ mediaType: 'application/pdf', filename: 'notes.pdf', tokens: expect.any(Number) });
    expect(csv).toMatchObject({ mediaType: 'text/plain', filename: 'cities.csv', tokens: expect.any(Number) });
    expect(pdf.tokens).toBeGreaterThan(3);

    await readChunks(await me.chat(randomId('chat'), 'Summarise [[fake id=att-docs tokens=2]]', [pdf, csv], 'gpt'));
    expect((await fake().record('att-docs'))?.messages).toEqual([
      {
        role: 'user',
        content: '<file name="notes.pdf">\nThe secret word is marmalade.\n</file>\n\n<file name="cities.csv">\ncity,people\nZurich,443000\n</file>\n\nSummarise [[fake id=att-docs tokens=2]]',
      },
    ]);
  });

  test('a model that takes no images refuses them before any upstream call, and nothing is stored', async () => {
    configure();
    const me = new Guest();
    const image = await me.attach(PNG_BYTES, 'red.png');
    const conversationId = randomId('chat');
    const response = await me.chat(conversationId, 'Look [[fake id=att-refused]]', [image], 'text-only');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'images_unsupported', message: 'Text only (fake) does not take images. Choose a model that does, or remove the images.' } });
    expect(await fake().record('att-refused')).toBeUndefined();
    expect((await me.conversation(conversationId)).status).toBe(404);
  });

  test("files are their identity's: another gets 404, and cannot send or delete them", async () => {
    configure();
    const [me, stranger] = [new Guest(), new Guest()];
    const image = await me.attach(PNG_BYTES, 'mine.png');
    await stranger.attach('hello', 'hello.txt'); // the stranger has an identity of its own
    expect((await stranger.file(image)).status).toBe(404);
    expect((await stranger.file(image, 'DELETE')).status).toBe(404);
    const response = await stranger.chat(randomId('chat'), 'Steal [[fake id=att-steal]]', [image], 'gpt');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_request', message: /attached file was not found/ } });
    expect(await fake().record('att-steal')).toBeUndefined();
    expect((await me.file(image)).status).toBe(200);
  });

  test('what a file is comes from its content; each refusal says why', async () => {
    configure({ RUNNEL_ATTACHMENT_MAX_MB: '0.01' });
    const me = new Guest();
    const refusal = async (response: Response) => ({ status: response.status, ...((await response.json()) as { error: object }).error });
    expect(await refusal(await me.upload(Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00', 'latin1'), 'cat.png', 'image/png'))).toMatchObject({ status: 415, code: 'unsupported_file' });
    expect(await refusal(await me.upload('', 'empty.txt'))).toMatchObject({ status: 400, message: 'The file is empty.' });
    expect(await refusal(await me.upload('x'.repeat(20_000), 'big.txt'))).toMatchObject({ status: 413, message: 'Files can be at most 10 KB.' });
    const notMultipart = await uploadRoute(new Request(`${BASE}/api/attachments`, { method: 'POST', body: 'raw', headers: { 'content-type': 'text/plain' } }));
    expect(await refusal(notMultipart)).toMatchObject({ status: 415, code: 'unsupported_media_type' });
    const noField = new FormData();
    noField.append('other', 'x');
    expect(await refusal(await uploadRoute(new Request(`${BASE}/api/attachments`, { method: 'POST', body: noField })))).toMatchObject({ status: 400, message: /field named "file"/ });
    configure({ RUNNEL_ATTACHMENT_MAX_MB: '0' });
    expect(await refusal(await me.upload('hello', 'a.txt'))).toMatchObject({ status: 403, code: 'attachments_off' });
  });

  test('uploads count against the per-minute request limit', async () => {
    configure({ RUNNEL_LIMIT_REQUESTS_PER_MINUTE: '2' });
    const me = new Guest();
    expect((await me.upload('one', 'one.txt')).status).toBe(201);
    expect((await me.upload('two', 'two.txt')).status).toBe(201);
    const refused = await me.upload('three', 'three.txt');
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited', limit: 'requests_per_minute', scope: 'identity' } });
  });

  test('deleting a conversation deletes its files; an upload taken out before sending is deleted at once', async () => {
    configure();
    const me = new Guest();
    const [sent, unsent] = [await me.attach(PNG_BYTES, 'sent.png'), await me.attach('draft', 'draft.txt')];
    const conversationId = randomId('chat');
    await readChunks(await me.chat(conversationId, 'Keep [[fake tokens=1]]', [sent], 'gpt'));
    // A sent file goes with its conversation, not on its own.
    expect((await me.file(sent, 'DELETE')).status).toBe(404);

    expect((await me.conversation(conversationId, 'DELETE')).status).toBe(204);
    expect((await me.file(sent)).status).toBe(404);
    expect(await stored(sent)).toBeUndefined();

    expect(await stored(unsent)).toBeDefined();
    expect((await me.file(unsent, 'DELETE')).status).toBe(204);
    expect(await stored(unsent)).toBeUndefined();
    expect((await me.file(unsent)).status).toBe(404);
  });
}
