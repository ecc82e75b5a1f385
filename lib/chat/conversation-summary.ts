import type { Conversation } from '@/lib/db/schema';

/** A conversation as the sidebar lists it. */
export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: string;
}

export const toSummary = (conversation: Conversation): ConversationSummary => ({
  id: conversation.id,
  title: conversation.title || 'Untitled',
  updatedAt: conversation.updatedAt.toISOString(),
});
