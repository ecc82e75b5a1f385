import 'server-only';
import { after } from 'next/server';
import type { Generation } from '@/lib/ai/generation';
import { serverDraining } from '@/lib/errors';

/**
 * The work this process has accepted and must finish before it stops: replies being generated,
 * the work each leaves behind when it ends (its final save, its usage record), and the responses
 * still writing to a client. Shutdown (shutdown.ts) reads it; routes and replies add to it.
 */
interface WorkState {
  draining: boolean;
  generations: Set<Generation>;
  /** Saves and records still running after their reply ended. */
  afterWork: Set<Promise<unknown>>;
  openResponses: number;
}

// On globalThis: instrumentation and each route are separate bundles, but one process.
const holder = globalThis as typeof globalThis & { __runnelWork?: WorkState };
const state = (): WorkState => (holder.__runnelWork ??= { draining: false, generations: new Set(), afterWork: new Set(), openResponses: 0 });

/** Refuses new replies once the process is shutting down, before any upstream call is made. */
export function assertAcceptingWork(): void {
  if (state().draining) throw serverDraining();
}

export const isDraining = (): boolean => state().draining;

export function startDraining(): void {
  state().draining = true;
}

/** A reply in flight until it ends, so that shutdown can wait for it or, at its deadline, interrupt it. */
export function trackGeneration(generation: Generation): void {
  const { generations } = state();
  generations.add(generation);
  void generation.ended.then(() => generations.delete(generation));
}

export const generationsInFlight = (): Generation[] => [...state().generations];

/**
 * Work that must finish after the response has been sent (a reply's final save, its usage
 * record). Inside a request it goes to Next's `after()`, which on serverless platforms (Vercel)
 * keeps the function alive until it settles; under `next start` that changes nothing. Either way
 * shutdown waits for it.
 */
export function finishAfterResponse(work: Promise<unknown>): void {
  const { afterWork } = state();
  const settled = work.catch(() => {});
  afterWork.add(settled);
  void settled.then(() => afterWork.delete(settled));
  try {
    after(settled);
  } catch {
    // Not inside a request (a test calling a route directly, a script): there is no function
    // to keep alive, and the process-wide set above still holds the work.
  }
}

export const pendingAfterWork = (): Promise<unknown>[] => [...state().afterWork];

/** Counts an event stream from its first byte to its last, so shutdown lets the last bytes out. */
export function trackResponse(): () => void {
  const work = state();
  work.openResponses++;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    work.openResponses--;
  };
}

export const openResponses = (): number => state().openResponses;

/** For tests: forget every piece of work and accept requests again. */
export function resetWork(): void {
  holder.__runnelWork = undefined;
}
