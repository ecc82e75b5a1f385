import 'server-only';
import type { PromptMessage } from '@/lib/ai/providers/types';
import { pathTo } from '@/lib/chat/tree';
import type { Database } from '@/lib/db/database';
import { ensureIdentityRow } from '@/lib/auth/session';
import { addMessage, conversationMessages, createConversation, getConversation, setConversationModel, startConversation } from '@/lib/db/queries';
import type { Conversation, StoredMessage } from '@/lib/db/schema';
import { ChatError } from '@/lib/errors';
import { cutText } from '@/lib/text/storable';
import { knownInstructions, rememberInstructions } from './instructions';
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
export async function beginTurn(db: Database, identityId: string, request: ChatRequest, model: string): Promise<PendingTurn> {
  const last = request.messages.at(-1)!;
  const started = { conversationId: request.id, userMessageId: last.id };
  if (request.messages.length === 1) {
    // A new chat starts with the identity's custom instructions as its system prompt: as this
    // process knows them, checked against the stored ones by the statement that stores the chat.
    const turns = [{ role: 'user' as const, parts: userParts(last) }];
    const prompt = toPrompt(turns, knownInstructions(identityId) ?? null);
    return { ...started, prompt, stored: storeFirstMessage(db, identityId, request, model, turns) };
  }
  await ensureIdentityRow(db, identityId);
  const turn = await prepareTurn(db, identityId, request, model);
  return { ...started, prompt: turn.prompt, stored: Promise.resolve(turn.prompt) };
}

/**
 * A new chat in one round trip; a conversation that exists after all takes the usual way.
 * Answers the prompt as stored: with the system prompt the statement stored.
 */
async function storeFirstMessage(
  db: Database,
  identityId: string,
  request: ChatRequest,
  model: string,
  turns: Pick<StoredMessage, 'role' | 'parts'>[],
): Promise<PromptMessage[]> {
  const message = request.messages[0]!;
  const created = await startConversation(db, { id: request.id, identityId, title: titleFrom(message), model, message: { id: message.id, parts: userParts(message) } });
  if (!created) return (await prepareTurn(db, identityId, request, model)).prompt;
  rememberInstructions(identityId, created.systemPrompt);
  return toPrompt(turns, created.systemPrompt);
}

/**
 * The server owns history. From the request it takes only the conversation id and the new user
 * message (or, to regenerate, which user message to answer); earlier turns come from the
 * database, so a client cannot forge them. Resolves once the user message is stored, so no
 * answer is shown (or saved) before it and it is never lost.
 */
export async function prepareTurn(db: Database, identityId: string, request: ChatRequest, model: string): Promise<Turn> {
  const last = request.messages.at(-1)!; // validated: a user message with text
  const { conversation, created } = await findOrCreateConversation(db, identityId, request.id, titleFrom(last), model);
  if (!created && conversation.model !== model) await setConversationModel(db, identityId, conversation.id, model);
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
      parts: userParts(last),
    });
    stored.push(user);
  }
  return { conversation, userMessageId: user.id, prompt: toPrompt(pathTo(stored, user.id), conversation.systemPrompt) };
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

/** What is stored of a user message: its text parts. */
const userParts = (message: ChatRequest['messages'][number]) =>
  message.parts.filter((part) => part.type === 'text').map((part) => ({ type: 'text' as const, text: part.text ?? '' }));

/** Whether two prompts say the same: an early request was sent with the right one. */
export const samePrompt = (a: PromptMessage[], b: PromptMessage[]): boolean =>
  a.length === b.length && a.every((message, i) => message.role === b[i]!.role && message.content === b[i]!.content);

/** The turns as the model sees them, after the conversation's system prompt if it has one. */
function toPrompt(path: Pick<StoredMessage, 'role' | 'parts'>[], systemPrompt: string | null): PromptMessage[] {
  const turns = path.flatMap((message) => {
    const content = message.parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
    return content ? [{ role: message.role, content }] : [];
  });
  return systemPrompt ? [{ role: 'system', content: systemPrompt }, ...turns] : turns;
}

const titleFrom = (message: ChatRequest['messages'][number]) => titleFromText(message.parts.map((part) => part.text ?? '').join(' '));

/** A conversation's title: its first words, on one line. */
export function titleFromText(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return cutText(line, TITLE_CHARS);
}
