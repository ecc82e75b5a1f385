import 'server-only';
import { z } from 'zod';
import { attachmentIdOf } from '@/lib/attachments/parts';
import { FILES_PER_MESSAGE, formatBytes } from '@/lib/attachments/limits';
import { ChatError } from '@/lib/errors';
import { storableId, storableString } from '@/lib/text/storable';

export const LIMITS = {
  bodyBytes: 1024 * 1024,
  messages: 200,
  partsPerMessage: 100,
  textChars: 100_000,
  idChars: 200,
} as const;

const id = storableId(LIMITS.idChars);

// Assistant messages from AI SDK clients also carry `step-start`, `reasoning`, `tool-*` parts;
// they are accepted and not sent upstream. File parts name files uploaded to /api/attachments.
const Part = z
  .looseObject({ type: z.string().min(1).max(100), text: storableString(LIMITS.textChars).optional(), url: z.string().max(2000).optional() })
  .refine((part) => part.type !== 'text' || part.text !== undefined, { message: 'a text part needs a text', path: ['text'] })
  .refine((part) => part.type !== 'file' || attachmentIdOf(part.url ?? '') !== undefined, {
    message: 'a file part must name a file uploaded to /api/attachments (its url is /api/attachments/<id>)',
    path: ['url'],
  });

const Message = z.object({
  // AI SDK clients may send messages without ids.
  id: storableId(LIMITS.idChars, 0),
  role: z.enum(['system', 'user', 'assistant']),
  parts: z.array(Part).max(LIMITS.partsPerMessage),
  metadata: z.unknown().optional(),
});

/** The body the AI SDK's DefaultChatTransport sends, plus an optional model id. */
export const ChatRequestSchema = z.object({
  id,
  messages: z
    .array(Message)
    .min(1)
    .max(LIMITS.messages)
    .refine((messages) => messages.at(-1)?.role === 'user', 'the last message must be from the user')
    .refine((messages) => hasContent(messages.at(-1)), 'the last message has no text and no files')
    .refine((messages) => fileCount(messages.at(-1)) <= FILES_PER_MESSAGE, `a message can carry at most ${FILES_PER_MESSAGE} files`),
  trigger: z.enum(['submit-message', 'regenerate-message']).default('submit-message'),
  messageId: id.optional(),
  model: id.optional(),
});

function hasContent(message: z.infer<typeof Message> | undefined): boolean {
  return Boolean(message?.parts.some((part) => (part.type === 'text' && part.text?.trim()) || part.type === 'file'));
}

const fileCount = (message: z.infer<typeof Message> | undefined) => message?.parts.filter((part) => part.type === 'file').length ?? 0;

export type ChatRequest = z.infer<typeof ChatRequestSchema>;

/** Reads and validates a chat request, or throws a ChatError that names the problem. */
export async function parseChatRequest(request: Request): Promise<ChatRequest> {
  return parseJsonBody(request, ChatRequestSchema);
}

/** A JSON body (at most `limit` bytes, 1 MB unless said) validated by `schema`, or a ChatError that names the problem. */
export async function parseJsonBody<T extends z.ZodType>(request: Request, schema: T, limit: number = LIMITS.bodyBytes): Promise<z.infer<T>> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new ChatError('unsupported_media_type', 'Send the request body as JSON (Content-Type: application/json).');
  }
  const raw = await readBodyText(request, limit);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ChatError('invalid_json', 'The request body is not valid JSON.');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ChatError('invalid_request', describeIssue(parsed.error));
  return parsed.data;
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'The request is invalid.';
  const path = issue.path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** Reads the body up to `limit` bytes, stopping early (413) instead of buffering an unbounded upload. */
async function readBodyText(request: Request, limit: number): Promise<string> {
  const tooLarge = () => new ChatError('payload_too_large', `The request body is larger than ${formatBytes(limit)}.`);
  const declared = Number(request.headers.get('content-length'));
  if (declared > limit) throw tooLarge();
  if (!request.body) return '';
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}
