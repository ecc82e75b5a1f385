import 'server-only';
import { getDatabase } from '@/lib/db';
import { listConversations } from '@/lib/db/queries';
import { toSummary, type ConversationSummary } from './conversation-summary';

/** The sidebar's first page, rendered with the page. */
export async function sidebarConversations(identityId: string | undefined): Promise<ConversationSummary[]> {
  if (!identityId) return [];
  return (await listConversations(await getDatabase(), identityId)).map(toSummary);
}
