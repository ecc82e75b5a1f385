import { spawn } from 'node:child_process';
import type { RequestRecord } from './server';

/** The fake upstream running in a process of its own, driven over HTTP. */
export interface FakeUpstreamProcess {
  /** OpenAI-style base URL, ending in /v1. */
  url: string;
  /** Anthropic-style base URL: the SDK adds /v1 itself. */
  anthropicUrl: string;
  record(id: string): Promise<RequestRecord | undefined>;
  waitForRecord(id: string, timeoutMs?: number): Promise<RequestRecord>;
  waitForDisconnect(id: string, timeoutMs?: number): Promise<RequestRecord>;
  close(): Promise<void>;
}

/**
 * Starts the fake upstream in a child process on a free port. Its timestamps are then taken on
 * its own event loop, as a real provider's would be, unaffected by whatever the process under
 * test is busy with (an embedded database, a test runner).
 */
export async function startFakeUpstreamProcess(port = 0): Promise<FakeUpstreamProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'e2e/fake-upstream/cli.ts', '--port', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      output += text;
      const match = /listening on (\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`fake-upstream exited with ${code}`)));
  });
  const control = url.replace(/\/v1$/, '/__fake/requests');
  const record = async (id: string) => {
    const response = await fetch(`${control}/${encodeURIComponent(id)}`);
    return response.ok ? ((await response.json()) as RequestRecord) : undefined;
  };
  const waitFor = async (id: string, done: (r: RequestRecord) => boolean, what: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await record(id);
      if (found && done(found)) return found;
      if (Date.now() > deadline) throw new Error(`fake-upstream: no ${what} recorded for ${id}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  return {
    url,
    anthropicUrl: url.replace(/\/v1$/, ''),
    record,
    waitForRecord: (id, timeoutMs = 5000) => waitFor(id, () => true, 'request', timeoutMs),
    waitForDisconnect: (id, timeoutMs = 5000) => waitFor(id, (r) => r.disconnectedAt !== undefined, 'disconnect', timeoutMs),
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
