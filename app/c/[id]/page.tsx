import { notFound, redirect } from 'next/navigation';
import { Chat } from '@/components/chat/chat';
import { currentViewer } from '@/lib/auth/session';
import { chatModelFor, chatModels, modelLabel } from '@/lib/chat/chat-model';
import { sidebarConversations } from '@/lib/chat/sidebar-data';
import { toChatMessage } from '@/lib/chat/stored-message';
import { pathTo } from '@/lib/chat/tree';
import { isSafeId } from '@/lib/text/storable';
import { getConfig } from '@/lib/config';
import { getDatabase } from '@/lib/db';
import { conversationMessages, getConversation } from '@/lib/db/queries';

/** A conversation, rendered on the server with its history: no spinner, then content. */
export default async function ConversationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { identityId, account } = await currentViewer();
  // Members only (RUNNEL_AUTH=required): a guest signs in first.
  if (!account && getConfig().auth.mode === 'required') redirect('/sign-in');
  if (!identityId || !isSafeId(id)) notFound();
  const db = await getDatabase();
  const [conversation, messages, conversations] = await Promise.all([
    getConversation(db, identityId, id),
    conversationMessages(db, identityId, id),
    sidebarConversations(identityId),
  ]);
  // Another identity's conversation is indistinguishable from none.
  if (!conversation || !messages) notFound();
  const tree = messages.map((message) => ({ ...toChatMessage(message, modelLabel), parentId: message.parentId, createdAt: message.createdAt.getTime() }));
  const history = pathTo(tree, conversation.activeLeafId);
  return <Chat key={id} models={chatModels()} initialModelId={chatModelFor(conversation.model)} conversationId={id} initialMessages={history} initialTree={tree} conversations={conversations} accountName={account?.name} />;
}
