import 'server-only';
import { ChatError, toChatError } from '@/lib/errors';

/** OpenAI's error body, which its SDKs turn into typed errors. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null; limit?: string | number; scope?: string | number };
}

/** An error with the fields OpenAI's shape has beyond a ChatError's. */
export class V1Error extends ChatError {
  constructor(
    code: ChatError['code'],
    message: string,
    readonly openai: { param?: string; code?: string } = {},
  ) {
    super(code, message);
  }
}

function errorType(status: number): string {
  if (status === 429) return 'rate_limit_error';
  if (status === 401) return 'invalid_request_error';
  if (status < 500) return 'invalid_request_error';
  return 'server_error';
}

export function toOpenAIError(error: unknown): { status: number; body: OpenAIErrorBody; retryAfter?: string } {
  const chatError = toChatError(error);
  const extra = chatError instanceof V1Error ? chatError.openai : {};
  // Runnel's own limits name themselves (`limit`, `scope`); OpenAI's clients ignore extra fields.
  const limit = chatError.details.limit === undefined ? {} : { limit: chatError.details.limit, scope: chatError.details.scope };
  const code = extra.code ?? (chatError.details.limit !== undefined ? 'rate_limit_exceeded' : chatError.code);
  return {
    status: chatError.status,
    retryAfter: chatError.retryAfter,
    body: {
      error: { message: chatError.message, type: errorType(chatError.status), param: extra.param ?? null, code, ...limit },
    },
  };
}

/** Any failure as an HTTP response in OpenAI's error shape. */
export function openAIErrorResponse(error: unknown, extraHeaders?: Record<string, string>): Response {
  const { status, body, retryAfter } = toOpenAIError(error);
  const headers: Record<string, string> = { 'cache-control': 'no-store', ...extraHeaders };
  if (retryAfter) headers['retry-after'] = retryAfter;
  return Response.json(body, { status, headers });
}
