import { isDatabaseOutage } from '@/lib/db/outage';

/**
 * Every failure a client can see has a code, an HTTP status and a message that is safe to show a
 * person: no stack traces, no keys, no upstream bodies.
 */
export const ERROR_STATUS = {
  invalid_json: 400,
  invalid_request: 400,
  unknown_model: 400,
  /** An image for a model that takes none. */
  images_unsupported: 400,
  unauthorized: 401,
  sign_in_required: 401,
  forbidden_origin: 403,
  /** This server takes no attachments (turned off, or no bucket on Vercel). */
  attachments_off: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  /** A file of a kind that cannot be attached, by its content. */
  unsupported_file: 415,
  rate_limited: 429,
  // nginx's convention for a client that closed the request; nobody reads this response.
  request_cancelled: 499,
  internal_error: 500,
  upstream_auth: 502,
  upstream_bad_request: 502,
  upstream_error: 502,
  upstream_unavailable: 503,
  // This instance is shutting down; another one (or this one, restarted) can take the request.
  server_draining: 503,
  storage_unavailable: 503,
  upstream_timeout: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  /** `details` name what failed beyond the code, e.g. which limit. */
  error: { code: ErrorCode; message: string } & Record<string, string | number>;
}

export class ChatError extends Error {
  readonly code: ErrorCode;
  /** Seconds (or an HTTP date) the client should wait, passed on from the upstream. */
  readonly retryAfter: string | undefined;
  readonly details: Record<string, string | number>;

  constructor(code: ErrorCode, message: string, options?: { retryAfter?: string; cause?: unknown; details?: Record<string, string | number> }) {
    super(message, { cause: options?.cause });
    this.name = 'ChatError';
    this.code = code;
    this.retryAfter = options?.retryAfter;
    this.details = options?.details ?? {};
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ErrorBody {
    return { error: { ...this.details, code: this.code, message: this.message } };
  }

  toResponse(extraHeaders?: Record<string, string>): Response {
    const headers: Record<string, string> = { 'cache-control': 'no-store', ...extraHeaders };
    if (this.retryAfter) headers['retry-after'] = this.retryAfter;
    return Response.json(this.toBody(), { status: this.status, headers });
  }
}

/**
 * Anything thrown that is not a ChatError is a bug: log it whole, show the user nothing of it.
 * Except the database being away, which is no bug of the request: a 503 to retry.
 */
export function toChatError(error: unknown): ChatError {
  if (error instanceof ChatError) return error;
  if (isDatabaseOutage(error)) {
    console.warn(`[runnel] the database is unavailable: ${error instanceof Error ? error.message : String(error)}`);
    return new ChatError('storage_unavailable', 'Storage is unavailable right now, so nothing was saved or sent. Please try again in a moment.', { retryAfter: '5' });
  }
  console.error('[runnel] unexpected error', error);
  return new ChatError('internal_error', 'Something went wrong on the server. Please try again.');
}

/** What the reader of a reply cut off by a server restart is told; the reply is stored as `interrupted`. */
export const SERVER_RESTART_MESSAGE = 'The server restarted while answering. The answer is saved up to here; send it again to continue.';

/** Seconds a client refused by a draining instance should wait: another instance may answer at once. */
const DRAINING_RETRY_AFTER_S = '2';

/** The answer to a request this instance will not take because it is shutting down. */
export function serverDraining(message = 'This server is restarting and takes no new requests. Please retry.'): ChatError {
  return new ChatError('server_draining', message, { retryAfter: DRAINING_RETRY_AFTER_S });
}
