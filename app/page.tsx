import { randomUUID } from 'node:crypto';
import { connection } from 'next/server';
import { Chat } from '@/components/chat/chat';
import { redirect } from 'next/navigation';
import { currentViewer } from '@/lib/auth/session';
import { getConfig } from '@/lib/config';
import { chatModelFor, chatModels } from '@/lib/chat/chat-model';
import { warmInstructions } from '@/lib/chat/instructions';
import { sidebarConversations } from '@/lib/chat/sidebar-data';
import { getDatabase } from '@/lib/db';

/** A new chat. It becomes /c/[id] on the first send. */
export default async function HomePage() {
  // The model comes from the environment at request time, not at build time.
  await connection();
  const { identityId, account } = await currentViewer();
  // Members only (RUNNEL_AUTH=required): a guest signs in first.
  if (!account && getConfig().auth.mode === 'required') redirect('/sign-in');
  // The custom instructions are read beside the sidebar, so the first message need not wait for them.
  const [conversations] = await Promise.all([sidebarConversations(identityId), warmInstructions(await getDatabase(), identityId)]);
  const conversationId = randomUUID();
  // Keyed by the new id: "New chat" from a chat must start afresh, not keep the old state.
  return <Chat key={conversationId} models={chatModels()} initialModelId={chatModelFor()} conversationId={conversationId} conversations={conversations} accountName={account?.name} />;
}
