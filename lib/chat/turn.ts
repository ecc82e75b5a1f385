import 'server-only';
import type { PromptMessage } from '@/lib/ai/providers/types';
import { attachmentPart, attachmentsFor, claimAttachments } from '@/lib/attachments/attachments';
import { assertModelSees, attachmentIds, promptFiles, sameImages, toPrompt, type PromptFiles } from '@/lib/attachments/prompt';
import { getFileStore } from '@/lib/attachments/store';
import type { ModelConfig } from '@/lib/config';
import { pathTo } from '@/lib/chat/tree';
import type { Database } from '@/lib/db/database';
import { ensureIdentityRow } from '@/lib/auth/session';
import { addMessage, conversationMessages, createConversation, getConversation, setConversationModel, startConversation } from '@/lib/db/queries';
import type { Attachment, Conversation, StoredMessage } from '@/lib/db/schema';
import { ChatError } from '@/lib/errors';
import { cutText } from '@/lib/text/storable';
import { knownInstructions, rememberInstructions } from './instructions';
import { attachmentsOf, partText, type ChatPart } from './message';
import type { ChatRequest } from './request';

/** A user turn, stored, and the conversation as the model must see it. */
export interface Turn {
  conversation: Conversation;
  /** The user message the reply answers. */
  userMessageId: string;
  prompt: PromptMessage[];
}

/** A user turn on its way into storage, and the prompt to answer it with. */
export interface PendingTurn {
  conversationId: string;
  /** The user message the reply answers. */
  userMessageId: string;
  /** The conversation as the model must see it. */
  prompt: PromptMessage[];
  /**
   * Settles once the question is stored, with the prompt its stored history gives: the same one,
   * unless a client sent only part of a conversation's history.
   */
  stored: Promise<PromptMessage[]>;
}

const TITLE_CHARS = 80;

/**
 * Starts storing a user turn and says what to ask the model, as early as that is known. A chat's
 * first message is its whole prompt: it can be sent upstream while the conversation and the
 * message are stored, in one statement. A later message needs the stored history first (the
 * server owns history); the prompt then comes from it.
 */
export async function beginTurn(db: Database, identityId: string, request: ChatRequest, model: TurnModel): Promise<PendingTurn> {
  const last = request.messages.at(-1)!;
  const started = { conversationId: request.id, userMessageId: last.id };
  const files = await sentFiles(db, identityId, request.id, last);
  const parts = userParts(last, files);
  if (request.messages.length === 1) {
    // A new chat starts with the identity's custom instructions as its system prompt: as this
    // process knows them, checked against the stored ones by the statement that stores the chat.
    const turns = [{ role: 'user' as const, parts }];
    const loaded = await promptFiles(getFileStore(), files);
    const prompt = toPrompt(turns, knownInstructions(identityId) ?? null, loaded);
    assertModelSees(prompt, model);
    return { ...started, prompt, stored: storeFirstMessage(db, identityId, request, model, { parts, turns, loaded }) };
  }
  await ensureIdentityRow(db, identityId);
  const turn = await prepareTurn(db, identityId, request, model, parts);
  assertModelSees(turn.prompt, model);
  return { ...started, prompt: turn.prompt, stored: Promise.resolve(turn.prompt) };
}

/** What of the model a turn needs: its id, and whether it may be shown images. */
export type TurnModel = Pick<ModelConfig, 'id' | 'label' | 'images'>;

/**
 * The files the new message carries, as this identity's attachments that may go into this
 * conversation; a ChatError if one is not (another identity's, another conversation's, deleted).
 */
async function sentFiles(db: Database, identityId: string, conversationId: string, message: ChatRequest['messages'][number]): Promise<Attachment[]> {
  const ids = attachmentIds(message.parts);
  const rows = await attachmentsFor(db, identityId, conversationId, ids);
  const byId = new Map(rows.map((row) => [row.id, row]));
  const found = ids.flatMap((id) => byId.get(id) ?? []);
  if (found.length < ids.length) throw new ChatError('invalid_request', 'An attached file was not found: it may have been removed. Attach it again.');
  return found;
}

/**
 * A new chat in one round trip; a conversation that exists after all takes the usual way.
 * Answers the prompt as stored: with the system prompt the statement stored.
 */
async function storeFirstMessage(
  db: Database,
  identityId: string,
  request: ChatRequest,
  model: TurnModel,
  first: { parts: ChatPart[]; turns: Pick<StoredMessage, 'role' | 'parts'>[]; loaded: PromptFiles },
): Promise<PromptMessage[]> {
  const message = request.messages[0]!;
  const created = await startConversation(db, { id: request.id, identityId, title: titleFrom(first.parts), model: model.id, message: { id: message.id, parts: first.parts } });
  if (!created) return (await prepareTurn(db, identityId, request, model, first.parts)).prompt;
  await claimAttachments(db, identityId, request.id, attachmentIds(first.parts));
  rememberInstructions(identityId, created.systemPrompt);
  return toPrompt(first.turns, created.systemPrompt, first.loaded);
}

/**
 * The server owns history. From the request it takes only the conversation id and the new user
 * message (or, to regenerate, which user message to answer); earlier turns come from the
 * database, so a client cannot forge them. Resolves once the user message is stored, so no
 * answer is shown (or saved) before it and it is never lost.
 */
async function prepareTurn(db: Database, identityId: string, request: ChatRequest, model: TurnModel, parts: ChatPart[]): Promise<Turn> {
  const last = request.messages.at(-1)!; // validated: a user message with text or files
  const { conversation, created } = await findOrCreateConversation(db, identityId, request.id, titleFrom(parts), model.id);
  if (!created && conversation.model !== model.id) await setConversationModel(db, identityId, conversation.id, model.id);
  const stored = created ? [] : ((await conversationMessages(db, identityId, conversation.id)) ?? []);
  const known = new Map(stored.map((m) => [m.id, m]));

  let user = known.get(last.id);
  // Unknown even when asked to answer it again: it was refused before it was stored (a limit),
  // and Retry sends it once more. It is stored now, like any new message.
  if (!user) {
    user = await addMessage(db, {
      id: last.id,
      conversationId: conversation.id,
      parentId: nearestStoredAncestor(request.messages, known) ?? null,
      role: 'user',
      parts,
    });
    await claimAttachments(db, identityId, conversation.id, attachmentIds(parts));
    stored.push(user);
  }
  const path = pathTo(stored, user.id);
  const files = await attachmentsFor(db, identityId, conversation.id, path.flatMap((message) => attachmentIds(message.parts)));
  return { conversation, userMessageId: user.id, prompt: toPrompt(path, conversation.systemPrompt, await promptFiles(getFileStore(), files)) };
}

async function findOrCreateConversation(
  db: Database,
  identityId: string,
  id: string,
  title: string,
  model: string,
): Promise<{ conversation: Conversation; created: boolean }> {
  const created = await createConversation(db, { id, identityId, title, model });
  if (created) return { conversation: created, created: true };
  const existing = await getConversation(db, identityId, id);
  // Taken by another identity: to this one it does not exist.
  if (!existing) throw new ChatError('not_found', 'Conversation not found.');
  return { conversation: existing, created: false };
}

/**
 * The parent of a new user message: the message before it in the client's list if the server
 * has it, else the nearest earlier one it has (a reply that failed before its first token was
 * never stored).
 */
function nearestStoredAncestor(messages: ChatRequest['messages'], known: Map<string, StoredMessage>): string | undefined {
  for (let i = messages.length - 2; i >= 0; i--) if (known.has(messages[i]!.id)) return messages[i]!.id;
  return undefined;
}

/** What is stored of a user message: its files, as the server knows them, then its text. */
const userParts = (message: ChatRequest['messages'][number], files: Attachment[]): ChatPart[] => [
  ...files.map(attachmentPart),
  ...message.parts.filter((part) => part.type === 'text').map((part) => ({ type: 'text' as const, text: part.text ?? '' })),
];

/** Whether two prompts say the same: an early request was sent with the right one. */
export const samePrompt = (a: PromptMessage[], b: PromptMessage[]): boolean =>
  a.length === b.length &&
  a.every((message, i) => message.role === b[i]!.role && message.content === b[i]!.content && sameImages(message.images, b[i]!.images));

/** A message's title: its words, or the first file's name when it has none. */
function titleFrom(parts: ChatPart[]): string {
  const text = titleFromText(parts.map(partText).join(' '));
  return text || titleFromText(attachmentsOf({ parts })[0]?.filename ?? '');
}

/** A conversation's title: its first words, on one line. */
export function titleFromText(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return cutText(line, TITLE_CHARS);
}
