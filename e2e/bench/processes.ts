import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Starts a command and resolves once `url` answers; the process is killed with the bench. */
export async function startProcess(command: string, args: string[], env: Record<string, string>, url: string): Promise<ChildProcess> {
  const child = spawn(command, args, { env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  process.on('exit', () => child.kill('SIGKILL'));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode}`);
    const ok = await fetch(url).then((r) => r.status < 500, () => false);
    if (ok) return child;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer in time`);
}

/**
 * What the app under a bench runs with: the fake upstream, a bench secret, and the embedded
 * database in a fresh folder (unless DATABASE_URL, passed through, names a real one).
 */
export function benchAppEnv(fakePort: number): Record<string, string> {
  return {
    OPENAI_API_KEY: 'sk-bench',
    OPENAI_BASE_URL: `http://127.0.0.1:${fakePort}/v1`,
    OPENAI_MODEL: 'fake-model',
    AUTH_SECRET: 'bench-only-secret-0123456789',
    RUNNEL_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'runnel-bench-')),
    // Every bench stream comes from 127.0.0.1: per-IP limits far above the load, so they are
    // checked (and their cost measured) but never refuse.
    RUNNEL_LIMIT_IP_REQUESTS_PER_MINUTE: '1000000',
    RUNNEL_LIMIT_IP_CONCURRENT_STREAMS: '1000000',
    RUNNEL_LIMIT_IP_TOKENS_PER_DAY: '1000000000000',
  };
}

/** The process and its descendants (e.g. `next start` forks its server). */
function processTree(pid: number): number[] {
  const tree = [pid];
  try {
    for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
      tree.push(...processTree(Number(child)));
    }
  } catch {
    // gone
  }
  return tree;
}

const TICKS_PER_SECOND = 100;

/** Resident memory (MB) and CPU time used so far (seconds) by a process tree, from /proc. */
export function usage(pid: number): { rssMb: number; cpuSeconds: number } {
  let rssKb = 0;
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      rssKb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return { rssMb: rssKb / 1024, cpuSeconds: ticks / TICKS_PER_SECOND };
}
