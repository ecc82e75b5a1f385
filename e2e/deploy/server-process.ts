import { spawn, type ChildProcess } from 'node:child_process';

/** A Runnel server process under test: its output is kept, its exit awaited. */
export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Settles with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string>;
  output(): string;
  kill(signal?: NodeJS.Signals): void;
  /** Kills it (SIGKILL unless told) and waits until it is gone and its port free. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `command args` (a `next start` or an image's CMD) and resolves once `url` answers its
 * readiness probe. `env` is the whole environment, as a container would have it (plus PATH).
 */
export async function startServerProcess(options: { command: string; args: string[]; cwd?: string; env: Record<string, string>; url: string; timeoutMs?: number }): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: 'production', ...options.env };
  // A process group of its own: `next start` runs the server in a child process, which a kill of
  // the parent alone would leave running (and holding the port).
  const child = spawn(options.command, options.args, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr.on('data', (data: Buffer) => (output += data.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  let ended = false;
  void exited.then(() => (ended = true));
  const server: ServerProcess = {
    url: options.url,
    child,
    exited,
    output: () => output,
    kill: (signal = 'SIGKILL') => signalProcess(child, signal),
    stop: async (signal = 'SIGKILL') => {
      if (!ended) signalProcess(child, signal);
      await exited;
      const until = Date.now() + 5000;
      while (Date.now() < until && (await fetch(`${options.url}/api/health/live`).then(() => true, () => false))) await new Promise((resolve) => setTimeout(resolve, 50));
    },
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (ended) throw new Error(`server exited before answering:\n${output}`);
    const ready = await fetch(`${options.url}/api/health/ready`).then((r) => r.ok, () => false);
    if (ready) return server;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`${options.url} was not ready in time:\n${output}`);
}

/** `next start` of this checkout's build, as `npm start` runs it. */
export function nextStart(port: number, env: Record<string, string>): Promise<ServerProcess> {
  return startServerProcess({
    command: process.execPath,
    args: ['node_modules/next/dist/bin/next', 'start', '--keepAliveTimeout', '65000', '--port', String(port), '--hostname', '127.0.0.1'],
    env,
    url: `http://127.0.0.1:${port}`,
  });
}

/**
 * SIGKILL goes to the whole group (nothing is left behind); other signals to the process that was
 * started, as Docker signals a container's PID 1 (`next start` passes them on to its server).
 */
function signalProcess(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (signal === 'SIGKILL') process.kill(-child.pid!, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
}
