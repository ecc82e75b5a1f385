import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deleteConversationAndFiles } from '@/lib/attachments/attachments';
import { createDiskStore } from '@/lib/attachments/disk-store';
import { messageText } from '@/lib/chat/message';
import { newestLeafUnder, pathTo, siblingsOf } from '@/lib/chat/tree';
import { createTestDatabase } from '@/lib/testing/postgres';
import { openDatabase, queryRows, recoverInterruptedReplies, type DatabaseHandle } from './database';
import {
  addMessage,
  addUsageRecords,
  conversationMessages,
  createConversation,
  createIdentity,
  getConversation,
  listConversations,
  renameConversation,
  saveReplies,
  setActiveLeaf,
  setIdentityInstructions,
  startConversation,
  updateMessage,
  type ReplyRow,
} from './queries';
import { messages } from './schema';

const postgres = await createTestDatabase();
/** Every migration applies once: as many journal rows as migrations written. */
const MIGRATIONS = (JSON.parse(readFileSync('lib/db/migrations/meta/_journal.json', 'utf8')) as { entries: unknown[] }).entries.length;
const pgliteDir = mkdtempSync(path.join(tmpdir(), 'runnel-pglite-'));
// Conversations' files, for the deletions here (none have any).
const files = createDiskStore(path.join(pgliteDir, 'attachments'));
afterAll(async () => {
  await postgres?.drop();
  rmSync(pgliteDir, { recursive: true, force: true });
});

// With a URL the embedded folder is not used.
const openPostgres = (url: string) => openDatabase(url, pgliteDir);

const drivers = [
  { name: 'embedded PGlite', available: true, open: () => openDatabase(undefined, path.join(pgliteDir, 'db')) },
  { name: 'real Postgres', available: postgres !== undefined, open: () => openPostgres(postgres!.url) },
];

async function mustCreate(...args: Parameters<typeof createConversation>) {
  const conversation = await createConversation(...args);
  if (!conversation) throw new Error(`conversation ${args[1].id} already exists`);
  return conversation;
}

const text = (value: string) => [{ type: 'text' as const, text: value }];
let seq = 0;
const id = (prefix: string) => `${prefix}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

describe.each(drivers)('storage on $name', ({ name, available, open }) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    if (available) handle = await open();
  });
  afterAll(() => handle?.close());

  test.skipIf(!available)('migrates an empty database, and migrating again changes nothing', async () => {
    const journal = () => queryRows<{ n: number }>(handle.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    expect(await journal()).toEqual([{ n: MIGRATIONS }]);
    if (name === 'real Postgres') {
      const again = await open();
      await again.close();
      expect(await journal()).toEqual([{ n: MIGRATIONS }]);
    }
    const tables = await queryRows<{ table_name: string }>(
      handle.db,
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    expect(tables.map((row) => row.table_name)).toEqual([
      'api_keys',
      'attachments',
      'auth_accounts',
      'auth_sessions',
      'auth_verifications',
      'conversations',
      'identities',
      'messages',
      'passkeys',
      'shares',
      'usage_records',
      'users',
    ]);
  });

  test.skipIf(!available)('regenerating and editing add siblings; nothing is deleted; the active path follows', async () => {
    const { db } = handle;
    const me = await createIdentity(db);
    const conversation = await mustCreate(db, { id: id('c'), identityId: me.id, title: 'Trees' });
    const c = conversation.id;
    const u1 = await addMessage(db, { id: id('u'), conversationId: c, parentId: null, role: 'user', parts: text('Question') });
    const a1 = await addMessage(db, { id: id('a'), conversationId: c, parentId: u1.id, role: 'assistant', parts: text('First answer') });
    const a2 = await addMessage(db, { id: id('a'), conversationId: c, parentId: u1.id, role: 'assistant', parts: text('Regenerated') });
    const u2 = await addMessage(db, { id: id('u'), conversationId: c, parentId: null, role: 'user', parts: text('Edited question') });
    const a3 = await addMessage(db, { id: id('a'), conversationId: c, parentId: u2.id, role: 'assistant', parts: text('Answer to the edit') });

    const all = (await conversationMessages(db, me.id, c))!;
    expect(all.map((m) => m.id)).toEqual([u1.id, a1.id, a2.id, u2.id, a3.id]);
    const active = (await getConversation(db, me.id, c))!.activeLeafId;
    expect(pathTo(all, active).map((m) => m.id)).toEqual([u2.id, a3.id]);
    expect(siblingsOf(all, a2.id).map((m) => m.id)).toEqual([a1.id, a2.id]);
    expect(siblingsOf(all, u2.id).map((m) => m.id)).toEqual([u1.id, u2.id]);
    expect(newestLeafUnder(all, u1.id)).toBe(a2.id);

    expect(await setActiveLeaf(db, me.id, c, a1.id)).toBe(true);
    const switched = (await getConversation(db, me.id, c))!.activeLeafId;
    expect(pathTo(all, switched).map((m) => m.parts)).toEqual([text('Question'), text('First answer')]);
  });

  test.skipIf(!available)('message ids belong to their conversation: the same id elsewhere is another message', async () => {
    const { db } = handle;
    const me = await createIdentity(db);
    const first = (await mustCreate(db, { id: id('c'), identityId: me.id, title: 'One' })).id;
    const second = (await mustCreate(db, { id: id('c'), identityId: me.id, title: 'Two' })).id;
    await addMessage(db, { id: 'm1', conversationId: first, parentId: null, role: 'user', parts: text('in one') });
    await addMessage(db, { id: 'm1', conversationId: second, parentId: null, role: 'user', parts: text('in two') });
    // A parent must be a message of the same conversation.
    await expect(addMessage(db, { id: 'm2', conversationId: second, parentId: 'missing', role: 'assistant', parts: text('x') })).rejects.toThrow();
    expect((await conversationMessages(db, me.id, first))!.map((m) => m.parts)).toEqual([text('in one')]);
  });

  test.skipIf(!available)("another identity cannot see or change a conversation", async () => {
    const { db } = handle;
    const owner = await createIdentity(db);
    const stranger = await createIdentity(db);
    const c = (await mustCreate(db, { id: id('c'), identityId: owner.id, title: 'Private' })).id;
    const m = await addMessage(db, { id: id('u'), conversationId: c, parentId: null, role: 'user', parts: text('secret') });

    expect(await getConversation(db, stranger.id, c)).toBeUndefined();
    expect(await conversationMessages(db, stranger.id, c)).toBeUndefined();
    expect(await listConversations(db, stranger.id)).toEqual([]);
    expect(await listConversations(db, stranger.id, { search: 'secret' })).toEqual([]);
    expect(await renameConversation(db, stranger.id, c, 'mine now')).toBe(false);
    expect(await setActiveLeaf(db, stranger.id, c, m.id)).toBe(false);
    expect(await deleteConversationAndFiles(db, files, stranger.id, c)).toBe(false);
    // Nor take its id: creating it again is refused, whoever asks.
    expect(await createConversation(db, { id: c, identityId: stranger.id, title: 'squat' })).toBeUndefined();
    expect((await getConversation(db, owner.id, c))?.title).toBe('Private');
  });

  test.skipIf(!available)('lists newest first and searches titles and message text', async () => {
    const { db } = handle;
    const me = await createIdentity(db);
    const older = (await mustCreate(db, { id: id('c'), identityId: me.id, title: 'Bread recipes' })).id;
    const newer = (await mustCreate(db, { id: id('c'), identityId: me.id, title: 'Trip' })).id;
    await addMessage(db, { id: id('u'), conversationId: newer, parentId: null, role: 'user', parts: text('Flights to Lisbon at 100% refund?') });

    expect((await listConversations(db, me.id)).map((c) => c.id)).toEqual([newer, older]);
    expect((await listConversations(db, me.id, { search: 'bread' })).map((c) => c.id)).toEqual([older]);
    expect((await listConversations(db, me.id, { search: 'LISBON' })).map((c) => c.id)).toEqual([newer]);
    expect((await listConversations(db, me.id, { search: '100%' })).map((c) => c.id)).toEqual([newer]);
    expect((await listConversations(db, me.id, { search: '%' })).map((c) => c.id)).toEqual([newer]);

    expect(await renameConversation(db, me.id, older, 'Sourdough')).toBe(true);
    expect((await listConversations(db, me.id)).map((c) => c.title)).toEqual(['Sourdough', 'Trip']);
    expect(await deleteConversationAndFiles(db, files, me.id, newer)).toBe(true);
    expect(await conversationMessages(db, me.id, newer)).toBeUndefined();
    const orphans = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from ${messages} where ${messages.conversationId} = ${newer}`);
    expect(orphans).toEqual([{ n: 0 }]);
  });

  test.skipIf(!available)('a new chat in one statement; replies of several conversations saved in one, each added once and then updated', async () => {
    const { db } = handle;
    const newcomer = crypto.randomUUID();
    const [c1, c2] = [id('c'), id('c')];
    const first = (c: string) => ({ id: c, identityId: newcomer, title: 'Hi', model: 'fake', message: { id: 'u', parts: text('Hi') } });
    expect(await startConversation(db, first(c1))).toEqual({ systemPrompt: null });
    // With custom instructions, the conversation starts with them as its system prompt.
    await setIdentityInstructions(db, newcomer, 'Be brief.');
    expect(await startConversation(db, first(c2))).toEqual({ systemPrompt: 'Be brief.' });
    // Taken (here by the same identity): nothing more is stored.
    expect(await startConversation(db, { ...first(c1), message: { id: 'u2', parts: text('again') } })).toBeUndefined();
    expect((await conversationMessages(db, newcomer, c1))?.map((m) => m.id)).toEqual(['u']);
    expect(await getConversation(db, newcomer, c1)).toMatchObject({ activeLeafId: 'u', systemPrompt: null });
    expect(await getConversation(db, newcomer, c2)).toMatchObject({ activeLeafId: 'u', systemPrompt: 'Be brief.' });

    const reply = (c: string, fields: Partial<ReplyRow> = {}): ReplyRow => ({ id: 'a', conversationId: c, parentId: 'u', model: 'fake', parts: text('W'), status: 'streaming', ...fields });
    await saveReplies(db, [reply(c1), reply(c2)]);
    await setActiveLeaf(db, newcomer, c1, 'u');
    await saveReplies(db, [reply(c1, { parts: text('Whole answer'), status: 'done', usage: { outputTokens: 2 }, durationMs: 12 }), reply(c2, { parts: text('Wh'), status: 'stopped' })]);
    const [m1, m2] = [(await conversationMessages(db, newcomer, c1))!, (await conversationMessages(db, newcomer, c2))!];
    expect(m1.map((m) => [m.id, m.status, messageText(m)])).toEqual([['u', 'done', 'Hi'], ['a', 'done', 'Whole answer']]);
    expect(m1[1]).toMatchObject({ role: 'assistant', model: 'fake', usage: { outputTokens: 2 }, durationMs: 12 });
    expect(m2[1]).toMatchObject({ status: 'stopped', parts: text('Wh') });
    // The first save made each reply its conversation's leaf; a later save leaves the leaf alone.
    expect((await getConversation(db, newcomer, c1))?.activeLeafId).toBe('u');
    expect((await getConversation(db, newcomer, c2))?.activeLeafId).toBe('a');

    const stranger = crypto.randomUUID();
    await addUsageRecords(db, [1, 2].map((n) => ({ identityId: stranger, model: 'fake', outcome: 'done', inputTokens: n, outputTokens: n, totalTokens: 2 * n, estimated: false })));
    const usage = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from usage_records where identity_id = ${stranger}`);
    expect(usage).toEqual([{ n: 2 }]);
  });

  test.skipIf(!available)('after a crash, replies left streaming become interrupted and keep their text', async () => {
    const { db } = handle;
    const me = await createIdentity(db);
    const c = (await mustCreate(db, { id: id('c'), identityId: me.id, title: 'Crash' })).id;
    const u = await addMessage(db, { id: id('u'), conversationId: c, parentId: null, role: 'user', parts: text('Tell me') });
    const orphan = await addMessage(db, { id: id('a'), conversationId: c, parentId: u.id, role: 'assistant', parts: text(''), status: 'streaming' });
    await updateMessage(db, c, orphan.id, { parts: text('The saved part of the ans') });
    await db.execute(sql`update ${messages} set updated_at = now() - interval '5 minutes' where ${messages.id} = ${orphan.id}`);
    const live = await addMessage(db, { id: id('a'), conversationId: c, parentId: u.id, role: 'assistant', parts: text('still going'), status: 'streaming' });

    // Shared Postgres: only replies nobody has touched for a while are orphans.
    expect(await recoverInterruptedReplies(db, 60_000)).toBeGreaterThanOrEqual(1);
    const afterStale = (await conversationMessages(db, me.id, c))!;
    expect(afterStale.find((m) => m.id === orphan.id)).toMatchObject({ status: 'interrupted', parts: text('The saved part of the ans') });
    expect(afterStale.find((m) => m.id === live.id)?.status).toBe('streaming');

    // The embedded database has one writer: every streaming reply at start is an orphan.
    await recoverInterruptedReplies(db, 0);
    expect((await conversationMessages(db, me.id, c))!.find((m) => m.id === live.id)?.status).toBe('interrupted');
  });
});

describe.skipIf(postgres === undefined)('several instances starting at once on one Postgres', () => {
  test('take turns on the migrations and all start', async () => {
    const fresh = (await createTestDatabase())!;
    try {
      const handles = await Promise.all([openPostgres(fresh.url), openPostgres(fresh.url), openPostgres(fresh.url)]);
      const journal = await queryRows<{ n: number }>(handles[0]!.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
      expect(journal).toEqual([{ n: MIGRATIONS }]);
      await Promise.all(handles.map((h) => h.close()));
    } finally {
      await fresh.drop();
    }
  });
});
