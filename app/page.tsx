import { randomUUID } from 'node:crypto';
import { connection } from 'next/server';
import { Chat } from '@/components/chat/chat';
import { chatModel } from '@/lib/chat/chat-model';

/** A new chat. It becomes /c/[id] on the first send. */
export default async function HomePage() {
  // The model comes from the environment at request time, not at build time.
  await connection();
  return <Chat key="new" model={chatModel()} conversationId={randomUUID()} />;
}
