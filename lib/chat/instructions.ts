import 'server-only';
import type { Database } from '@/lib/db/database';
import { identityInstructions } from '@/lib/db/queries';

/**
 * Identities' custom instructions as this process last saw them, so a new chat can be sent
 * upstream at once, without a read first. The chat's own statement stores the instructions as
 * they really are and answers them; if they differ (another instance changed them, or this
 * process never saw them), the early request is dropped and the model asked again with them
 * (lib/chat/start-reply.ts), so a stale entry costs time, never a wrong answer.
 */
const seen = new Map<string, string | null>();
const LIMIT = 10_000;

/** The identity's instructions, if this process has seen them: a string, null (none), or undefined (unknown). */
export const knownInstructions = (identityId: string): string | null | undefined => seen.get(identityId);

export function rememberInstructions(identityId: string, instructions: string | null): void {
  if (seen.size >= LIMIT && !seen.has(identityId)) seen.clear();
  seen.set(identityId, instructions);
}

/** Reads an identity's instructions into this process, so its next new chat goes upstream without waiting for them. */
export async function warmInstructions(db: Database, identityId: string | undefined): Promise<void> {
  if (identityId && knownInstructions(identityId) === undefined) rememberInstructions(identityId, await identityInstructions(db, identityId));
}
