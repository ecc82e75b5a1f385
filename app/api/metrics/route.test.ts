import { expect, test } from 'vitest';
import { POST as chat } from '@/app/api/chat/route';
import { chatBody, chatRequest, readChunks } from '@/lib/testing/chat-client';
import { routeTestEnvironment } from '@/lib/testing/route-environment';
import { GET } from './route';

const env = routeTestEnvironment('metrics');
const TOKEN = 'metrics-token-0123456789';
const configure = (vars: Record<string, string>) => env.configure({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: env.fake.url, OPENAI_MODEL: 'fake-model', ...vars });

const scrape = (token?: string) => GET(new Request('http://127.0.0.1/api/metrics', { headers: token ? { authorization: `Bearer ${token}` } : {} }));

test('off without RUNNEL_METRICS_TOKEN; a wrong or missing token is 401', async () => {
  configure({ RUNNEL_METRICS_TOKEN: '' });
  expect((await scrape(TOKEN)).status).toBe(404);
  configure({ RUNNEL_METRICS_TOKEN: TOKEN });
  expect((await scrape()).status).toBe(401);
  const wrong = await scrape('metrics-token-0123456780');
  expect(wrong.status).toBe(401);
  expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
});

test('Prometheus text: streams, first-token and duration histograms, tokens, errors, aborts, rejections', async () => {
  configure({ RUNNEL_METRICS_TOKEN: TOKEN, RUNNEL_LIMIT_REQUESTS_PER_MINUTE: '3' });
  const first = await chat(chatRequest(chatBody('[[fake tokens=4]]')));
  const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
  await readChunks(first);
  await readChunks(await chat(chatRequest(chatBody('[[fake status=500]]'), { headers: { cookie } })));
  const controller = new AbortController();
  const stopped = await chat(chatRequest(chatBody('[[fake tokens=1000 delay=5]]'), { signal: controller.signal, headers: { cookie } }));
  await stopped.body!.getReader().read();
  controller.abort();
  expect((await chat(chatRequest(chatBody('hi'), { headers: { cookie } }))).status).toBe(429);

  await expect
    .poll(async () => {
      const text = await (await scrape(TOKEN)).text();
      return [
        /runnel_active_streams\{route="chat"\} 0/,
        /runnel_time_to_first_token_seconds_count\{model="fake-model"\} [1-9]/,
        /runnel_stream_duration_seconds_count\{model="fake-model",outcome="done"\} 1/,
        /runnel_stream_duration_seconds_count\{model="fake-model",outcome="stopped"\} 1/,
        /runnel_tokens_total\{model="fake-model",direction="output",estimated="false"\} 4/,
        /runnel_tokens_total\{model="fake-model",direction="output",estimated="true"\} [1-9]/,
        /runnel_upstream_errors_total\{kind="upstream_error"\} 1/,
        /runnel_client_aborts_total\{route="chat"\} 1/,
        /runnel_rate_limit_rejections_total\{limit="requests_per_minute",scope="identity"\} 1/,
        /runnel_process_resident_memory_bytes/,
      ].filter((pattern) => !pattern.test(text));
    })
    .toEqual([]);
  expect((await scrape(TOKEN)).headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
});
