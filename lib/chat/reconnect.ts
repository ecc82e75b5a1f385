/**
 * Client-safe: how the browser gets back to a reply after its connection was lost, and how it
 * tells the server that the person stopped it (the connection's end no longer says so).
 */

/** What a reader is told when its reply could not be reached again. */
export const CONNECTION_LOST_MESSAGE = 'The connection was lost; the answer was saved up to here.';

/** Sent as X-Runnel-Request-Id; the server says its grace window in X-Runnel-Resume-Grace-Ms. */
export const REQUEST_ID_HEADER = 'x-runnel-request-id';
export const GRACE_HEADER = 'x-runnel-resume-grace-ms';

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 4000;

/** Exponential backoff with full jitter, so that a server's many readers do not come back at one instant. */
export function reconnectDelayMs(attempt: number, random = Math.random): number {
  return Math.round(random() * Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** attempt)) + 50;
}

/**
 * Waits before the next reconnect: the backoff, or less when the browser comes back online (no
 * point waiting for a timer then), or the deadline. Offline, only "online" or the deadline end it.
 */
export function waitToReconnect(attempt: number, deadline: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
    const wait = Math.max(0, Math.min(offline ? Infinity : reconnectDelayMs(attempt), deadline - Date.now()));
    const done = () => {
      clearTimeout(timer);
      window.removeEventListener('online', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, wait);
    window.addEventListener('online', done);
    signal.addEventListener('abort', done);
  });
}

/**
 * Whether a failure is the network's (worth reconnecting), not the server refusing or a bug: a
 * failed fetch, a body that ended early, or the connection dropped on purpose (`connection`).
 */
export function isConnectionLoss(failure: unknown, connection?: AbortSignal): boolean {
  if (connection?.aborted) return true;
  return failure instanceof TypeError || (failure instanceof Error && failure.name === 'StreamEndedError');
}

/** How long a stop keeps being retried while the browser cannot reach the server. */
const STOP_RETRY_MS = 60_000;

/**
 * Tells the server to cancel a reply. A keepalive fetch, so that it is sent even as the page goes
 * away; while offline it is sent again as soon as the browser is back online (a stop pressed in a
 * tunnel still stops the reply, and its tokens, when the connection returns).
 */
export function sendStopRequest(url: string, target: { requestId?: string; messageId?: string }, startedAt = Date.now()): void {
  const retry = () => {
    if (Date.now() - startedAt > STOP_RETRY_MS) return;
    const again = () => {
      clearTimeout(timer);
      window.removeEventListener('online', again);
      sendStopRequest(url, target, startedAt);
    };
    const timer = setTimeout(again, navigator.onLine === false ? STOP_RETRY_MS : 1000);
    window.addEventListener('online', again);
  };
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(target), keepalive: true }).then(
    (response) => {
      if (response.status >= 500) retry();
    },
    retry,
  );
}
