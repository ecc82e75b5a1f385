import type { FileUIPart, ReasoningUIPart, TextUIPart, UIMessageChunk } from 'ai';

/** Client-safe: the chat message as the browser keeps it, and how stream chunks build one. */

/** `interrupted`: the server stopped (crash, restart) while the reply was streaming. */
export type MessageStatus = 'streaming' | 'done' | 'stopped' | 'error' | 'interrupted';

export interface MessageMetadata {
  model?: string;
  modelLabel?: string;
  usage?: { inputTokens?: number; outputTokens?: number; totalTokens?: number; estimated?: boolean; costUsd?: number };
  timing?: { firstTokenMs?: number; durationMs?: number };
  finishReason?: string;
  [key: string]: unknown;
}

/**
 * A file a person attached: the AI SDK's file part, whose `url` is the file's address on this
 * server (`/api/attachments/<id>`), with what the chip beside it shows.
 */
export interface AttachmentPart extends FileUIPart {
  /** Bytes. */
  size?: number;
  /** A document's text as the model reads it, in tokens; unset for images. */
  tokens?: number;
}

export type ChatPart = TextUIPart | ReasoningUIPart | AttachmentPart;

/** The parts a reply streams; only user messages carry files. */
export type ReplyPart = TextUIPart | ReasoningUIPart;

export interface ChatMessage {
  id: string;
  role: 'system' | 'user' | 'assistant';
  parts: ChatPart[];
  metadata?: MessageMetadata;
  /** Assistant messages only: how the reply ended, or that it is still coming. */
  status?: MessageStatus;
  /** Why the reply failed, when status is 'error'. */
  error?: string;
}

export function messageText(message: Pick<ChatMessage, 'parts'>): string {
  let text = '';
  for (const part of message.parts) if (part.type === 'text') text += part.text;
  return text;
}

/** A part's text: a file part has none. */
export const partText = (part: ChatPart): string => (part.type === 'file' ? '' : part.text);

export const attachmentsOf = (message: Pick<ChatMessage, 'parts'>): AttachmentPart[] =>
  message.parts.filter((part): part is AttachmentPart => part.type === 'file');

/**
 * An assistant message being assembled from chunks. Mutable on purpose: chunks arrive far more
 * often than the UI renders, so they are applied here and `snapshot()` is taken per render.
 */
export class MessageDraft {
  id: string;
  status: MessageStatus = 'streaming';
  error: string | undefined;
  metadata: MessageMetadata = {};
  private readonly parts: ReplyPart[] = [];
  private readonly open = new Map<string, ReplyPart>();

  constructor(id: string) {
    this.id = id;
  }

  apply(chunk: UIMessageChunk): void {
    switch (chunk.type) {
      case 'start':
        if (chunk.messageId) this.id = chunk.messageId;
        this.mergeMetadata(chunk.messageMetadata);
        break;
      case 'text-start':
      case 'reasoning-start':
        this.startPart(chunk.type === 'text-start' ? 'text' : 'reasoning', chunk.id);
        break;
      case 'text-delta':
      case 'reasoning-delta':
        (this.open.get(chunk.id) ?? this.startPart(chunk.type === 'text-delta' ? 'text' : 'reasoning', chunk.id)).text += chunk.delta;
        break;
      case 'text-end':
      case 'reasoning-end':
        this.endPart(chunk.id);
        break;
      case 'message-metadata':
        this.mergeMetadata(chunk.messageMetadata);
        break;
      case 'finish':
        this.mergeMetadata(chunk.messageMetadata);
        if (chunk.finishReason) this.metadata.finishReason = chunk.finishReason;
        this.settle('done');
        break;
      case 'error':
        this.fail(chunk.errorText);
        break;
      case 'abort':
        this.settle('stopped');
        break;
      default:
        // Steps, tools, sources, files and data parts are not rendered by Runnel yet.
        break;
    }
  }

  /** Ends the reply unless it already ended. */
  settle(status: 'done' | 'stopped'): void {
    if (this.status !== 'streaming') return;
    this.status = status;
    for (const id of [...this.open.keys()]) this.endPart(id);
  }

  fail(message: string): void {
    if (this.status !== 'streaming') return;
    this.status = 'error';
    this.error = message;
    for (const id of [...this.open.keys()]) this.endPart(id);
  }

  snapshot(): ChatMessage {
    return {
      id: this.id,
      role: 'assistant',
      parts: this.parts.map((part) => ({ ...part })),
      metadata: { ...this.metadata },
      status: this.status,
      error: this.error,
    };
  }

  private startPart(type: 'text' | 'reasoning', id: string): ReplyPart {
    const part: ReplyPart = { type, text: '', state: 'streaming' };
    this.parts.push(part);
    this.open.set(id, part);
    return part;
  }

  private endPart(id: string): void {
    const part = this.open.get(id);
    if (part) part.state = 'done';
    this.open.delete(id);
  }

  private mergeMetadata(metadata: unknown): void {
    if (isRecord(metadata)) deepMerge(this.metadata, metadata);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The AI SDK deep-merges message metadata from start, message-metadata and finish chunks. */
function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const current = target[key];
    if (isRecord(current) && isRecord(value)) deepMerge(current, value);
    else target[key] = isRecord(value) ? structuredClone(value) : value;
  }
}
