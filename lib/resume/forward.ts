import 'server-only';

/** Marks a request one instance passed to another, which must answer it itself. */
export const FORWARDED_HEADER = 'x-runnel-forwarded';
/** How long the owner has to answer with headers before it counts as gone. */
const OWNER_ANSWER_MS = 3000;
const PASSED_ON = ['cookie', 'last-event-id', 'content-type'];
const PASSED_BACK = ['content-type', 'cache-control', 'x-vercel-ai-ui-message-stream', 'x-accel-buffering', 'x-runnel-resume-grace-ms'];

export const isForwarded = (request: Request) => request.headers.has(FORWARDED_HEADER);

/**
 * Passes a request about a reply to the instance that generates it, and streams that instance's
 * answer back: the reader leaving closes the hop, which the owner sees as its reader leaving.
 * The owner checks the cookie itself, as if the browser had reached it. Resolves undefined when
 * the owner cannot be reached (it died or is stuck), so the caller answers from storage instead.
 */
export async function forwardToOwner(request: Request, instance: string, path: string, body?: string): Promise<Response | undefined> {
  const headers = new Headers({ [FORWARDED_HEADER]: '1' });
  for (const name of PASSED_ON) {
    const value = request.headers.get(name);
    if (value) headers.set(name, value);
  }
  const hop = new AbortController();
  const leave = () => hop.abort();
  request.signal.addEventListener('abort', leave, { once: true });
  const noAnswer = setTimeout(leave, OWNER_ANSWER_MS);
  try {
    const answer = await fetch(new URL(path, instance), { method: request.method, headers, body, signal: hop.signal, cache: 'no-store', redirect: 'manual' });
    const back = new Headers();
    for (const name of PASSED_BACK) {
      const value = answer.headers.get(name);
      if (value) back.set(name, value);
    }
    return new Response(answer.body, { status: answer.status, headers: back });
  } catch {
    request.signal.removeEventListener('abort', leave);
    return undefined;
  } finally {
    clearTimeout(noAnswer);
  }
}
