import { connection } from 'next/server';
import { Chat } from '@/components/chat/chat';
import { getConfig } from '@/lib/config';

export default async function HomePage() {
  // The model comes from the environment at request time, not at build time.
  await connection();
  const { defaultModel } = getConfig();
  return <Chat model={{ id: defaultModel.id, label: defaultModel.label, offline: defaultModel.provider === 'offline' }} />;
}
