import 'server-only';
import { closeDatabase } from '@/lib/db';
import { closeRedisClients } from '@/lib/limits/redis';
import { generationsInFlight, openResponses, pendingAfterWork, startDraining } from './work';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** After the grace period, how long interrupted replies get to save and to reach their readers. */
const FINAL_WRITES_MS = 5_000;
const LAST_BYTES_MS = 1_000;

/**
 * On SIGTERM or SIGINT (every deploy, `docker stop`, Ctrl+C), drain instead of dying: see
 * `shutDown`. A second signal cuts the grace period short.
 *
 * Next installs its own handler, which closes the listening socket (new requests are refused
 * instead of being told to go elsewhere), waits for every open connection with no deadline, and
 * exits 143 without waiting for replies' final saves. It is replaced here.
 */
export function drainOnSignals(graceMs: number): void {
  let hurry: (() => void) | undefined;
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
    process.on(signal, () => {
      if (hurry) {
        console.warn(`[runnel] ${signal} again: interrupting the replies still in flight now`);
        return hurry();
      }
      const cutShort = new Promise<void>((resolve) => (hurry = resolve));
      shutDown(signal, graceMs, cutShort).then(
        () => process.exit(0),
        (error: unknown) => {
          console.error('[runnel] shutdown failed', error);
          process.exit(1);
        },
      );
    });
  }
}

/**
 * Stops taking new replies at once (readiness and new chat requests answer 503), lets replies in
 * flight finish for up to `graceMs`, then interrupts the rest: their readers are told, and each is
 * saved with what it has and metered. Then the final saves and usage records are awaited, the
 * last bytes let out, and the database and Redis closed.
 */
export async function shutDown(reason: string, graceMs: number, cutShort: Promise<void> = new Promise(() => {})): Promise<void> {
  startDraining();
  const started = performance.now();
  console.warn(`[runnel] ${reason}: draining; ${generationsInFlight().length} repl(ies) in flight get up to ${graceMs} ms to finish`);
  const deadline = Promise.race([sleep(graceMs), cutShort]);
  let timeUp = false;
  void deadline.then(() => (timeUp = true));
  // A request accepted just before draining may still start a reply: look again until none is left.
  for (let replies = generationsInFlight(); replies.length > 0 && !timeUp; replies = generationsInFlight()) {
    await Promise.race([Promise.all(replies.map((generation) => generation.ended)), deadline]);
  }
  const interrupted = generationsInFlight();
  for (const generation of interrupted) generation.interrupt();
  if (interrupted.length > 0) console.warn(`[runnel] interrupted ${interrupted.length} repl(ies) still streaming after ${graceMs} ms; saved as far as they got`);
  await Promise.race([Promise.all(interrupted.map((generation) => generation.ended)), sleep(FINAL_WRITES_MS)]);
  await Promise.race([Promise.all(pendingAfterWork()), sleep(FINAL_WRITES_MS)]);
  await waitFor(() => openResponses() === 0, LAST_BYTES_MS);
  await Promise.allSettled([closeDatabase(), closeRedisClients()]);
  console.warn(`[runnel] stopped cleanly in ${Math.round(performance.now() - started)} ms`);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

async function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!done() && performance.now() < until) await sleep(10);
}
