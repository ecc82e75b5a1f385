import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { beforeEach, expect, test } from 'vitest';
import { POST as chat } from '@/app/api/chat/route';
import { POST as createKey } from '@/app/api/keys/route';
import { getDatabase } from '@/lib/db';
import { queryRows } from '@/lib/db/database';
import { generationsInFlight, pendingAfterWork } from '@/lib/lifecycle/work';
import { chatBody, chatRequest, readChunks } from '@/lib/testing/chat-client';
import { requestArbitrary, type FuzzWorld, type RouteName } from '@/lib/testing/fuzz/requests';
import { checkResponse, dispatch } from '@/lib/testing/fuzz/routes';
import { routeTestEnvironment } from '@/lib/testing/route-environment';
import { waitFor } from '@/lib/testing/wait-for';

/**
 * Property-based fuzzing of every route that takes input (fast-check), with a fixed seed:
 * `npm run fuzz -- --cases 50000 --seed N` runs the same property longer. A counterexample it
 * finds belongs in a plain regression test.
 */
const CASES = Number(process.env.FUZZ_CASES ?? 2500);
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const SECRET = 'victim-secret-7f3a9c';

const env = routeTestEnvironment('fuzz');
beforeEach(() =>
  env.configure({
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: env.fake.url,
    OPENAI_MODEL: 'fake-model',
    RUNNEL_METRICS_TOKEN: 'fuzz-metrics-token-0123456789',
    // Limits answer 429 by design; off here, so that requests reach everything behind them.
    RUNNEL_LIMIT_REQUESTS_PER_MINUTE: '0',
    RUNNEL_LIMIT_IP_REQUESTS_PER_MINUTE: '0',
    RUNNEL_LIMIT_TOKENS_PER_DAY: '0',
    RUNNEL_LIMIT_IP_TOKENS_PER_DAY: '0',
  }),
);

/** Someone with a conversation and a key: the victim, whose things no fuzzed request may touch; and the attacker, whose requests are fuzzed. */
async function person(text: string): Promise<{ cookie: string; conversationId: string; key: string; keyPrefix: string }> {
  const body = chatBody(`${text} [[fake tokens=2]]`);
  const response = await chat(chatRequest(body));
  await readChunks(response);
  const cookie = response.headers.get('set-cookie')!.split(';')[0]!;
  const created = await createKey(new Request('http://127.0.0.1/api/keys', { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ name: 'mine' }) }));
  const { key, summary } = (await created.json()) as { key: string; summary: { prefix: string } };
  return { cookie, conversationId: body.id, key, keyPrefix: summary.prefix };
}

const count = async (query: ReturnType<typeof sql>) => Number((await queryRows<{ n: string }>(await getDatabase(), query))[0]!.n);

test(`every route, ${CASES} generated requests (seed ${SEED}): no 5xx, errors in the route's shape, nothing of another identity, a consistent database`, async () => {
  const victim = await person(`My ${SECRET} plans`);
  const attacker = await person('hello');
  const world: FuzzWorld = {
    attackerCookie: attacker.cookie,
    attackerKey: attacker.key,
    attackerConversationId: attacker.conversationId,
    victimConversationId: victim.conversationId,
    victimKeyPrefix: victim.keyPrefix,
  };
  const seen = new Map<RouteName, Map<number, number>>();
  await fc.assert(
    fc.asyncProperty(requestArbitrary(world), async (fuzzed) => {
      const response = await dispatch(fuzzed);
      await checkResponse(fuzzed, response, SECRET);
      const statuses = seen.get(fuzzed.route) ?? new Map<number, number>();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      seen.set(fuzzed.route, statuses);
    }),
    { seed: SEED, numRuns: CASES },
  );
  console.log(
    ['| route | cases | statuses |', '|---|---|---|']
      .concat([...seen].map(([route, statuses]) => `| ${route} | ${[...statuses.values()].reduce((a, b) => a + b, 0)} | ${[...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ')} |`))
      .join('\n'),
  );

  // The server still answers a normal request.
  const normal = await chat(chatRequest(chatBody('still there? [[fake tokens=3]]')));
  expect(normal.status).toBe(200);
  expect((await readChunks(normal)).chunks.at(-1)?.type).toBe('finish');

  // Every reply has ended and been saved: nothing left streaming, nothing pointing nowhere.
  await waitFor(async () => (generationsInFlight().length === 0 ? true : undefined), 10_000);
  await Promise.all(pendingAfterWork());
  expect(await count(sql`select count(*) as n from messages where status = 'streaming'`)).toBe(0);
  expect(await count(sql`select count(*) as n from messages m where not exists (select 1 from conversations c where c.id = m.conversation_id)`)).toBe(0);
  expect(
    await count(sql`select count(*) as n from conversations c where c.active_leaf_id is not null and not exists (select 1 from messages m where m.conversation_id = c.id and m.id = c.active_leaf_id)`),
  ).toBe(0);

  // The victim's conversation and key are as they were.
  expect(await count(sql`select count(*) as n from messages where conversation_id = ${victim.conversationId}`)).toBe(2);
  expect(await count(sql`select count(*) as n from conversations where id = ${victim.conversationId} and title like ${`My ${SECRET}%`}`)).toBe(1);
  expect(await count(sql`select count(*) as n from api_keys where prefix = ${victim.keyPrefix} and revoked_at is null`)).toBe(1);
}, 600_000);
