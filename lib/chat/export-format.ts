import { z } from 'zod';
import type { Conversation, StoredMessage } from '@/lib/db/schema';
import { storableId, storableString } from '@/lib/text/storable';
import { pathTo } from './tree';
import { attachmentsOf, messageText } from './message';

/**
 * Runnel's conversation export: the whole tree (every version of every message), so an import
 * loses nothing. Markdown export is the shown history, for reading.
 */
const EXPORT_FORMAT = 'runnel.conversation';
const TEXT_LIMIT = 100_000;
/** How long a system prompt or custom instructions may be. */
export const SYSTEM_PROMPT_LIMIT = 8_000;

const ExportedMessage = z.object({
  id: storableId(),
  parentId: storableId().nullable(),
  role: z.enum(['system', 'user', 'assistant']),
  parts: z.array(z.object({ type: z.literal('text'), text: storableString(TEXT_LIMIT) })).max(100),
  status: z.enum(['done', 'stopped', 'error', 'interrupted', 'streaming']).default('done'),
  model: storableString(200).nullable().default(null),
  createdAt: z.iso.datetime(),
});

export const ConversationExportSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(1),
  title: storableString(200),
  model: storableString(200).nullable(),
  /** Absent from exports made before conversations had one. */
  systemPrompt: storableString(SYSTEM_PROMPT_LIMIT).nullable().default(null),
  activeLeafId: storableId().nullable(),
  messages: z.array(ExportedMessage).min(1).max(2000),
});

export type ConversationExport = z.infer<typeof ConversationExportSchema>;
export type ExportedMessage = z.infer<typeof ExportedMessage>;

export function toExport(conversation: Conversation, messages: StoredMessage[]): ConversationExport {
  return {
    format: EXPORT_FORMAT,
    version: 1,
    title: conversation.title,
    model: conversation.model,
    systemPrompt: conversation.systemPrompt,
    activeLeafId: conversation.activeLeafId,
    messages: messages.map((m) => ({
      id: m.id,
      parentId: m.parentId,
      role: m.role,
      parts: m.parts.filter((part) => part.type === 'text').map((part) => ({ type: 'text' as const, text: part.text })),
      status: m.status,
      model: m.model,
      createdAt: m.createdAt.toISOString(),
    })),
  };
}

const SPEAKER = { user: 'You', assistant: 'Assistant', system: 'System' } as const;

/** The shown history as Markdown. */
export function toMarkdown(conversation: Conversation, messages: StoredMessage[]): string {
  const lines = [`# ${conversation.title || 'Untitled conversation'}`, ''];
  if (conversation.systemPrompt) lines.push('## System prompt', '', conversation.systemPrompt, '');
  for (const message of pathTo(messages, conversation.activeLeafId)) {
    const model = message.role === 'assistant' && message.model ? ` (${message.model})` : '';
    const note = message.status === 'done' ? '' : ` — ${message.status}`;
    lines.push(`## ${SPEAKER[message.role]}${model}${note}`, '');
    for (const file of attachmentsOf(message)) lines.push(`*Attached: ${file.filename ?? 'a file'}*`, '');
    lines.push(messageText(message), '');
  }
  return lines.join('\n');
}

/**
 * The messages in an order where each parent comes before its children, or an error naming what
 * is wrong: an unknown parent, a repeated id, or a cycle.
 */
export function parentsFirst(messages: ExportedMessage[]): ExportedMessage[] | string {
  const byId = new Map<string, ExportedMessage>();
  for (const m of messages) {
    if (byId.has(m.id)) return `message id "${m.id}" appears twice`;
    byId.set(m.id, m);
  }
  const ordered: ExportedMessage[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const place = (m: ExportedMessage): string | undefined => {
    if (placed.has(m.id)) return undefined;
    if (visiting.has(m.id)) return `messages form a cycle at "${m.id}"`;
    visiting.add(m.id);
    if (m.parentId !== null) {
      const parent = byId.get(m.parentId);
      if (!parent) return `message "${m.id}" has an unknown parent "${m.parentId}"`;
      const problem = place(parent);
      if (problem) return problem;
    }
    visiting.delete(m.id);
    placed.add(m.id);
    ordered.push(m);
    return undefined;
  };
  for (const m of messages) {
    const problem = place(m);
    if (problem) return problem;
  }
  return ordered;
}
