/** Polls `probe` until it returns a value: for effects that land after a response (a reply's final save). */
export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`waitFor: nothing within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Polls `check` until it holds. */
export const waitUntil = (check: () => boolean | Promise<boolean>, timeoutMs?: number) =>
  waitFor(async () => ((await check()) ? true : undefined), timeoutMs);
