import 'server-only';
import { z } from 'zod';
import type { Prompt, PromptMessage } from '@/lib/ai/providers/types';
import { LIMITS, parseJsonBody } from '@/lib/chat/request';
import { findModel, type ModelConfig, type RunnelConfig } from '@/lib/config';
import { storableId, storableString } from '@/lib/text/storable';
import { V1Error } from './errors';

const TextContent = z.union([
  storableString(LIMITS.textChars),
  z
    .array(
      z.looseObject({ type: z.string(), text: storableString(LIMITS.textChars).optional() }).refine((part) => part.type === 'text' && part.text !== undefined, {
        message: 'only text content parts are supported',
      }),
    )
    .max(LIMITS.partsPerMessage),
]);

const Message = z.looseObject({
  // `developer` is OpenAI's newer name for `system`; tool calling is not offered.
  role: z.enum(['system', 'developer', 'user', 'assistant'], { message: 'role must be system, developer, user or assistant' }),
  content: TextContent.nullable().optional(),
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
  .refine((body) => body.messages.some((m) => m.role === 'user'), { message: 'messages must include a user message', path: ['messages'] });

export type CompletionRequest = z.infer<typeof CompletionRequestSchema>;

export async function parseCompletionRequest(request: Request): Promise<CompletionRequest> {
  return parseJsonBody(request, CompletionRequestSchema);
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

export const contentText = (content: CompletionRequest['messages'][number]['content']): string =>
  typeof content === 'string' ? content : (content ?? []).map((part) => part.text ?? '').join('');

/** What goes upstream: the caller's sampling options within the model's configured cap. */
export function toPrompt(body: CompletionRequest, model: ModelConfig): Prompt {
  const requested = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  const cap = model.maxOutputTokens;
  return {
    model: model.upstreamModel,
    messages: body.messages.map((m): PromptMessage => ({ role: m.role === 'developer' ? 'system' : m.role, content: contentText(m.content) })),
    maxOutputTokens: requested !== undefined && cap !== undefined ? Math.min(requested, cap) : (requested ?? cap),
    temperature: body.temperature ?? undefined,
    topP: body.top_p ?? undefined,
    stop: typeof body.stop === 'string' ? [body.stop] : (body.stop ?? undefined),
  };
}
