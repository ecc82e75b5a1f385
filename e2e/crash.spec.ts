import { spawn, type ChildProcess } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { uniqueId } from './helpers';
import { E2E } from './ports';

const url = `http://127.0.0.1:${E2E.crashPort}`;

/** A server of this test's own, so it can be killed without touching the others. */
async function startServer(): Promise<ChildProcess> {
  const server = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '--port', String(E2E.crashPort), '--hostname', '127.0.0.1'], {
    env: { ...process.env, ...E2E.serverEnv('crash'), OPENAI_API_KEY: 'sk-e2e', OPENAI_BASE_URL: E2E.fakeUrl, OPENAI_MODEL: 'fake-model' },
    stdio: 'ignore',
  });
  try {
    await expect
      .poll(() => fetch(url).then((r) => r.status, () => 0), { timeout: 30_000 })
      .toBe(200);
  } catch (error) {
    // A server that was slow to start must not outlive the test and hold the port for its retry.
    server.kill('SIGKILL');
    throw error;
  }
  return server;
}

test('killed mid-answer (kill -9) and restarted: the question and the saved part of the answer are there, marked interrupted', async () => {
  test.setTimeout(60_000);
  let server = await startServer();
  const conversationId = uniqueId('crash');
  const question = `Survive a crash [[fake id=${conversationId} tokens=100000 delay=20]]`;
  const response = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: conversationId, trigger: 'submit-message', messages: [{ id: 'q1', role: 'user', parts: [{ type: 'text', text: question }] }] }),
  });
  expect(response.status).toBe(200);
  const cookie = response.headers.get('set-cookie')!.split(';')[0]!;
  const reader = response.body!.getReader();
  const streamedFor = Date.now();
  // Past the first save (once a second), then the server dies without any chance to clean up.
  while (Date.now() - streamedFor < 2500) await reader.read();
  server.kill('SIGKILL');
  await new Promise((resolve) => server.once('exit', resolve));
  await reader.cancel().catch(() => {});

  server = await startServer();
  try {
    const page = await fetch(`${url}/c/${conversationId}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Survive a crash');
    expect(html).toContain('data-status="interrupted"');
    expect(html).toMatch(/w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 /);
  } finally {
    server.kill('SIGKILL');
  }
});

test('in production the server will not start without AUTH_SECRET, and says why', async () => {
  const server = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '--port', String(E2E.refusalPorts[0]), '--hostname', '127.0.0.1'], {
    env: { ...process.env, ...E2E.serverEnv('no-secret'), AUTH_SECRET: '' },
  });
  let output = '';
  server.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  server.stderr!.on('data', (data: Buffer) => (output += data.toString()));
  const code = await new Promise<number | null>((resolve) => server.once('exit', resolve));
  expect(code).not.toBe(0);
  expect(output).toContain('AUTH_SECRET is not set');
});

test('on Vercel (VERCEL set) without a database URL the server will not start, and says what to set', async () => {
  const server = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '--port', String(E2E.refusalPorts[1]), '--hostname', '127.0.0.1'], {
    env: { ...process.env, ...E2E.serverEnv('vercel-no-database'), VERCEL: '1', DATABASE_URL: '', POSTGRES_URL: '' },
  });
  let output = '';
  server.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  server.stderr!.on('data', (data: Buffer) => (output += data.toString()));
  const code = await new Promise<number | null>((resolve) => server.once('exit', resolve));
  expect(code).toBe(1);
  expect(output).toContain('on Vercel, Runnel needs a PostgreSQL database');
  expect(output).toContain('DATABASE_URL or POSTGRES_URL');
});
