import { randomUUID } from 'node:crypto';
import { connection } from 'next/server';
import { Chat } from '@/components/chat/chat';
import { currentIdentityId } from '@/lib/auth/session';
import { chatModelFor, chatModels } from '@/lib/chat/chat-model';
import { sidebarConversations } from '@/lib/chat/sidebar-data';

/** A new chat. It becomes /c/[id] on the first send. */
export default async function HomePage() {
  // The model comes from the environment at request time, not at build time.
  await connection();
  const conversations = await sidebarConversations(await currentIdentityId());
  const conversationId = randomUUID();
  // Keyed by the new id: "New chat" from a chat must start afresh, not keep the old state.
  return <Chat key={conversationId} models={chatModels()} initialModelId={chatModelFor()} conversationId={conversationId} conversations={conversations} />;
}
