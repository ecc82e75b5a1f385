import 'server-only';
import type { ChatModel } from '@/components/chat/chat';
import { findModel, getConfig, type ModelConfig } from '@/lib/config';

const toChatModel = (model: ModelConfig): ChatModel => ({ id: model.id, label: model.label, offline: model.provider === 'offline', images: model.images });

/** The models the chat page offers, as the client needs to know them: default first. */
export function chatModels(): ChatModel[] {
  return getConfig().models.map(toChatModel);
}

/** The model a conversation continues with: its own if still configured, else the default. */
export function chatModelFor(conversationModel?: string | null): string {
  const config = getConfig();
  return (conversationModel && findModel(config, conversationModel)?.id) || config.defaultModel.id;
}

export function modelLabel(id: string): string | undefined {
  return findModel(getConfig(), id)?.label;
}
