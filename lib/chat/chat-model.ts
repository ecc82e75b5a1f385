import 'server-only';
import type { ChatModel } from '@/components/chat/chat';
import { getConfig } from '@/lib/config';

/** The model the chat page offers, as the client needs to know it. */
export function chatModel(): ChatModel {
  const { defaultModel } = getConfig();
  return { id: defaultModel.id, label: defaultModel.label, offline: defaultModel.provider === 'offline' };
}

export function modelLabel(id: string): string | undefined {
  return getConfig().models.find((model) => model.id === id)?.label;
}
