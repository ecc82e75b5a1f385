import 'server-only';
import { randomUUID } from 'node:crypto';
import type { ApiKeyIdentity } from '@/lib/auth/api-keys';
import { titleFromText } from '@/lib/chat/turn';
import type { ModelConfig } from '@/lib/config';
import type { Database } from '@/lib/db/database';
import { importConversation } from '@/lib/db/queries';
import { contentText, type CompletionRequest } from './request';

/**
 * Stores an API request like a browser chat: the API is stateless, so each request is a
 * conversation of its own holding the messages it sent, attributed to its key and owned by the
 * key's identity. Says at once where the reply goes; `stored` settles when the request is stored
 * (the model is asked meanwhile, and its answer is shown only after).
 */
export function storeApiRequest(
  db: Database,
  key: ApiKeyIdentity,
  body: CompletionRequest,
  model: ModelConfig,
): { conversationId: string; lastMessageId: string; stored: Promise<void> } {
  const conversationId = randomUUID();
  const messages = body.messages.map((message, i) => ({
    id: `m${i + 1}`,
    parentId: i === 0 ? null : `m${i}`,
    role: message.role === 'developer' ? ('system' as const) : message.role,
    parts: [{ type: 'text' as const, text: contentText(message.content) }],
  }));
  const firstUser = body.messages.find((message) => message.role === 'user');
  const stored = importConversation(
    db,
    {
      id: conversationId,
      identityId: key.identityId,
      apiKeyId: key.keyId,
      title: titleFromText(`API: ${contentText(firstUser?.content)}`),
      model: model.id,
      activeLeafId: null,
    },
    messages,
  );
  return { conversationId, lastMessageId: messages.at(-1)!.id, stored };
}
