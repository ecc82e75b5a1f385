import { sql } from 'drizzle-orm';
import { countTokens } from 'gpt-tokenizer';
import { expect, test } from 'vitest';
import { POST as chat } from '@/app/api/chat/route';
import { POST as completions } from '@/app/api/v1/chat/completions/route';
import type { FakeUpstreamProcess } from '@/e2e/fake-upstream/process';
import { createApiKey } from '@/lib/auth/api-keys';
import { getConfig } from '@/lib/config';
import { getDatabase } from '@/lib/db';
import { queryRows } from '@/lib/db/database';
import { slotsInUse } from '@/lib/limits/limits';
import { metrics } from '@/lib/metrics/registry';
import { chatBody, chatRequest, leaveMidStream, readChunks } from './chat-client';
import { waitFor } from './wait-for';

/** Two priced models on the fake upstream, for RUNNEL_MODELS. */
export const pricedModels = (fake: FakeUpstreamProcess) =>
  JSON.stringify([
    { id: 'gpt', provider: 'openai-compatible', model: 'fake-model', baseURL: fake.url, prices: { input: 1, output: 2 } },
    { id: 'claude', provider: 'anthropic', model: 'fake-claude', baseURL: fake.anthropicUrl, prices: { input: 3, output: 15 } },
  ]);

interface UsageRecordRow {
  identity_id: string;
  api_key_id: string | null;
  conversation_id: string;
  message_id: string;
  model: string;
  outcome: string;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  estimated: boolean;
  cost_usd: number | null;
  client_ip: string | null;
}

const recordsOf = async (conversationId: string) =>
  queryRows<UsageRecordRow>(await getDatabase(), sql`select * from usage_records where conversation_id = ${conversationId}`);

/** Waits for the one usage record of a conversation's reply (written after the reply ends). */
const recordOf = (conversationId: string) => waitFor(async () => (await recordsOf(conversationId))[0]);

/** The reply's text once its final state is saved. */
const finalReplyText = (conversationId: string) =>
  waitFor(async () => {
    const rows = await queryRows<{ parts: { type: string; text: string }[]; status: string }>(
      await getDatabase(),
      sql`select parts, status from messages where conversation_id = ${conversationId} and role = 'assistant'`,
    );
    return rows[0] && rows[0].status !== 'streaming' ? rows[0].parts.map((part) => part.text).join('') : undefined;
  });

const identityOf = async (conversationId: string) =>
  (await queryRows<{ identity_id: string }>(await getDatabase(), sql`select identity_id from conversations where id = ${conversationId}`))[0]!.identity_id;

/**
 * Every upstream request leaves a usage record, however it ends, billed to the right identity or
 * key: run against whichever database the environment names.
 */
export function usageTests(): void {
  test('a finished reply: the provider’s figures, cost at the model’s prices, on the record and the message', async () => {
    const body = chatBody('[[fake tokens=7]]', { model: 'claude' });
    const response = await chat(chatRequest(body, { headers: { 'x-forwarded-for': '198.51.100.4' } }));
    const { chunks } = await readChunks(response);
    // 12 in (10 + 2 cached) and 7 out at $3 / $15 per million.
    const cost = (12 * 3 + 7 * 15) / 1e6;
    expect(chunks.at(-1)).toMatchObject({ type: 'finish', messageMetadata: { usage: { inputTokens: 12, outputTokens: 7, costUsd: cost } } });
    const record = await recordOf(body.id);
    expect(record).toMatchObject({ model: 'claude', outcome: 'done', input_tokens: 12, output_tokens: 7, total_tokens: 19, estimated: false, client_ip: '198.51.100.4', api_key_id: null });
    expect(record.cost_usd).toBeCloseTo(cost, 12);
    expect(record.identity_id).toBe(await identityOf(body.id));
    // The message's final save is a write of its own, which may land just after the usage record.
    const usage = await waitFor(async () => {
      const [message] = await queryRows<{ usage: object | null }>(await getDatabase(), sql`select usage from messages where conversation_id = ${body.id} and role = 'assistant'`);
      return message?.usage ?? undefined;
    });
    expect(usage).toMatchObject({ inputTokens: 12, outputTokens: 7, estimated: false, costUsd: cost });
  });

  test('a stopped reply: estimated with the tokenizer over the prompt and the text received', async () => {
    const body = chatBody('Count slowly [[fake tokens=100000 delay=5]]', { model: 'gpt' });
    const controller = new AbortController();
    await leaveMidStream(await chat(chatRequest(body, { signal: controller.signal })), controller, 4);
    const record = await recordOf(body.id);
    expect(record).toMatchObject({ outcome: 'stopped', estimated: true });
    expect(record.output_tokens).toBe(countTokens(await finalReplyText(body.id)));
    // One user message: its tokens, 4 for its wrapping, 3 to prime the reply.
    expect(record.input_tokens).toBe(countTokens('Count slowly [[fake tokens=100000 delay=5]]') + 4 + 3);
    expect(record.cost_usd).toBeCloseTo((record.input_tokens * 1 + record.output_tokens * 2) / 1e6, 12);
  });

  test('a stopped Anthropic reply keeps the provider’s prompt count; only the output is estimated', async () => {
    const body = chatBody('[[fake tokens=100000 delay=5]]', { model: 'claude' });
    const controller = new AbortController();
    await leaveMidStream(await chat(chatRequest(body, { signal: controller.signal })), controller, 3);
    const record = await recordOf(body.id);
    // message_start said 10 + 2 cached.
    expect(record).toMatchObject({ outcome: 'stopped', estimated: true, input_tokens: 12 });
    expect(record.output_tokens).toBe(countTokens(await finalReplyText(body.id)));
  });

  test('a reply cut by the upstream dropping the connection is estimated and marked error', async () => {
    const body = chatBody('[[fake tokens=50 drop=20 delay=2]]', { model: 'gpt' });
    await readChunks(await chat(chatRequest(body)));
    const record = await recordOf(body.id);
    expect(record).toMatchObject({ outcome: 'error', estimated: true });
    expect(record.output_tokens).toBeGreaterThan(0);
  });

  test('a server that reports no usage: a finished reply is estimated too', async () => {
    const body = chatBody('[[fake tokens=5 usage=0]]', { model: 'gpt' });
    await readChunks(await chat(chatRequest(body)));
    expect(await recordOf(body.id)).toMatchObject({ outcome: 'done', estimated: true, output_tokens: countTokens('w0 w1 w2 w3 w4 ') });
  });

  test('a request the upstream refused is recorded with no tokens: nothing was billed', async () => {
    const body = chatBody('[[fake status=500]]', { model: 'gpt' });
    expect((await chat(chatRequest(body))).status).toBe(502);
    expect(await recordOf(body.id)).toMatchObject({ outcome: 'error', input_tokens: 0, output_tokens: 0, estimated: false, cost_usd: 0 });
  });

  test('an API request is billed to its key and the key’s identity', async () => {
    const { key, summary } = await createApiKey(await getDatabase(), { name: 'billing' });
    const request = new Request('http://127.0.0.1/api/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt', messages: [{ role: 'user', content: '[[fake tokens=3]]' }] }),
    });
    expect((await completions(request)).status).toBe(200);
    const rows = await waitFor(async () => {
      const found = await queryRows<UsageRecordRow>(await getDatabase(), sql`select * from usage_records where api_key_id = ${summary.id}`);
      return found.length > 0 ? found : undefined;
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ outcome: 'done', input_tokens: 10, output_tokens: 3, estimated: false });
    expect(rows[0]!.identity_id).toBe(await identityOf(rows[0]!.conversation_id));
  });

  test('after 200 randomly abandoned streams every concurrent-stream slot is free again', { timeout: 120_000 }, async () => {
    const ip = `203.0.113.${Math.floor(Math.random() * 250)}`;
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const ways = ['before the response', 'after the first event', 'by cancelling the body', 'never (it finishes)', 'while the upstream hangs', 'upstream refuses'];
    const one = async () => {
      const way = ways[Math.floor(random() * ways.length)]!;
      const directive = way === 'while the upstream hangs' ? 'hang=headers' : way === 'upstream refuses' ? 'status=503' : 'tokens=40 delay=3';
      const controller = new AbortController();
      const pending = chat(chatRequest(chatBody(`[[fake ${directive}]]`, { model: 'gpt' }), { signal: controller.signal, headers: { 'x-forwarded-for': ip } }));
      if (way === 'before the response' || way === 'while the upstream hangs') setTimeout(() => controller.abort(), random() * 30);
      const response = await pending;
      if (!response.body || response.status !== 200) return;
      const reader = response.body.getReader();
      if (way === 'never (it finishes)') {
        while (!(await reader.read()).done);
        return;
      }
      await reader.read();
      if (way === 'by cancelling the body') return void (await reader.cancel());
      controller.abort();
      await reader.cancel();
    };
    for (let batch = 0; batch < 10; batch++) await Promise.all(Array.from({ length: 20 }, one));

    await waitFor(async () => ((await metrics().activeStreams.get()).values.every((v) => v.value === 0) ? true : undefined), 10_000);
    expect(await slotsInUse(getConfig(), 'ip', ip)).toBe(0);
  });
}
