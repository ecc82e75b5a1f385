import 'server-only';
import { z } from 'zod';
import type { Prompt, PromptMessage } from '@/lib/ai/providers/types';
import { IMAGE_MAX_BYTES } from '@/lib/attachments/limits';
import { LIMITS, parseJsonBody } from '@/lib/chat/request';
import { findModel, type ModelConfig, type RunnelConfig } from '@/lib/config';
import { storableId, storableString } from '@/lib/text/storable';
import { V1Error } from './errors';
import { promptImage } from './images';

/** A data URL of the largest image taken, base64 (4 characters per 3 bytes), with room for its header. */
const IMAGE_URL_CHARS = Math.ceil((IMAGE_MAX_BYTES * 4) / 3) + 100;

/** A JSON body may carry a few images as data URLs. */
export const API_BODY_BYTES = LIMITS.bodyBytes + 4 * IMAGE_URL_CHARS;

const ContentPart = z
  .looseObject({
    type: z.enum(['text', 'image_url'], { message: 'only text and image_url content parts are supported' }),
    text: storableString(LIMITS.textChars).optional(),
    image_url: z.looseObject({ url: z.string().max(IMAGE_URL_CHARS), detail: z.enum(['auto', 'low', 'high']).optional() }).optional(),
  })
  .refine((part) => (part.type === 'text' ? part.text !== undefined : part.image_url !== undefined), {
    message: 'a text part needs `text`, an image_url part needs `image_url.url`',
  });

const Content = z.union([storableString(LIMITS.textChars), z.array(ContentPart).max(LIMITS.partsPerMessage)]);

const Message = z.looseObject({
  // `developer` is OpenAI's newer name for `system`; tool calling is not offered.
  role: z.enum(['system', 'developer', 'user', 'assistant'], { message: 'role must be system, developer, user or assistant' }),
  content: Content.nullable().optional(),
});

/**
 * OpenAI's Chat Completions request, the subset Runnel serves. Unknown fields (`user`, `seed`,
 * `metadata`…) are ignored, as OpenAI-compatible servers do; ones whose absence would change the
 * answer's meaning (tools, n > 1) are refused by name.
 */
const CompletionRequestSchema = z
  .looseObject({
    model: storableId(),
    messages: z.array(Message).min(1, 'messages must not be empty').max(LIMITS.messages),
    stream: z.boolean().nullable().optional(),
    stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
    max_tokens: z.number().int().positive().nullable().optional(),
    max_completion_tokens: z.number().int().positive().nullable().optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().min(0).max(1).nullable().optional(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
    n: z.literal(1, { message: 'n must be 1: Runnel returns one choice' }).nullable().optional(),
    tools: z.undefined({ message: 'tools are not supported by this server' }).optional(),
    functions: z.undefined({ message: 'functions are not supported by this server' }).optional(),
  })
  .refine((body) => body.messages.some((m) => m.role === 'user'), { message: 'messages must include a user message', path: ['messages'] })
  .refine((body) => body.messages.every((m) => m.role === 'user' || imageUrls(m.content).length === 0), {
    message: 'only user messages may carry images',
    path: ['messages'],
  });

export type CompletionRequest = z.infer<typeof CompletionRequestSchema>;

export async function parseCompletionRequest(request: Request): Promise<CompletionRequest> {
  return parseJsonBody(request, CompletionRequestSchema, API_BODY_BYTES);
}

/** The configured model a request names, or OpenAI's 404 for an unknown one. */
export function requestedModel(config: RunnelConfig, id: string): ModelConfig {
  const model = findModel(config, id);
  if (!model) {
    throw new V1Error('not_found', `The model \`${id}\` does not exist. GET /api/v1/models lists the models this server offers.`, {
      param: 'model',
      code: 'model_not_found',
    });
  }
  return model;
}

type MessageContent = z.infer<typeof Content> | null | undefined;

export const contentText = (content: MessageContent): string =>
  typeof content === 'string' ? content : (content ?? []).map((part) => part.text ?? '').join('');

const imageUrls = (content: MessageContent): string[] =>
  typeof content === 'string' ? [] : (content ?? []).flatMap((part) => (part.image_url ? [part.image_url.url] : []));

/**
 * What goes upstream: the caller's messages, their images checked (lib/v1/images.ts) and refused
 * for a model that takes none, and the caller's sampling options within the model's configured cap.
 */
export async function toPrompt(body: CompletionRequest, model: ModelConfig): Promise<Prompt> {
  const requested = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  const cap = model.maxOutputTokens;
  const messages = await Promise.all(
    body.messages.map(async (m): Promise<PromptMessage> => {
      const urls = imageUrls(m.content);
      if (urls.length > 0 && !model.images) {
        throw new V1Error('images_unsupported', `The model \`${model.id}\` does not take images.`, { param: 'messages', code: 'images_unsupported' });
      }
      const images = await Promise.all(urls.map(promptImage));
      return { role: m.role === 'developer' ? 'system' : m.role, content: contentText(m.content), ...(images.length > 0 && { images }) };
    }),
  );
  return {
    model: model.upstreamModel,
    messages,
    maxOutputTokens: requested !== undefined && cap !== undefined ? Math.min(requested, cap) : (requested ?? cap),
    temperature: body.temperature ?? undefined,
    topP: body.top_p ?? undefined,
    stop: typeof body.stop === 'string' ? [body.stop] : (body.stop ?? undefined),
  };
}
