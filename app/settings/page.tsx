import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { PageShell } from '@/components/page-shell';
import { ApiKeys } from '@/components/settings/api-keys';
import { CustomInstructions } from '@/components/settings/custom-instructions';
import { SharedLinks } from '@/components/settings/shared-links';
import { listApiKeys } from '@/lib/auth/api-keys';
import { currentIdentityId } from '@/lib/auth/session';
import { chatModels } from '@/lib/chat/chat-model';
import { listShares } from '@/lib/chat/shares';
import { getDatabase } from '@/lib/db';
import { identityInstructions } from '@/lib/db/queries';

export const metadata: Metadata = { title: 'Settings · Runnel' };

/** Settings: custom instructions, and API keys for using this Runnel from programs, as this identity. */
export default async function SettingsPage() {
  const identityId = await currentIdentityId();
  const db = await getDatabase();
  const [keys, instructions, shared] = identityId
    ? await Promise.all([listApiKeys(db, identityId), identityInstructions(db, identityId), listShares(db, identityId)])
    : [[], null, []];
  const requestHeaders = await headers();
  const host = requestHeaders.get('x-forwarded-host') ?? requestHeaders.get('host') ?? 'localhost:3000';
  const protocol = requestHeaders.get('x-forwarded-proto') ?? (host.startsWith('localhost') || host.startsWith('127.') ? 'http' : 'https');
  return (
    <PageShell title="Settings" current="/settings">
      <CustomInstructions initial={instructions} />
      <SharedLinks initial={shared.map((share) => ({ id: share.id, title: share.title, path: `/s/${share.id}`, createdAt: share.createdAt.toISOString() }))} />
      <ApiKeys
        initialKeys={keys.map((key) => ({
          id: key.id,
          name: key.name,
          prefix: key.prefix,
          createdAt: key.createdAt.toISOString(),
          lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
          revokedAt: key.revokedAt?.toISOString() ?? null,
        }))}
        baseUrl={`${protocol}://${host}/api/v1`}
        exampleModel={chatModels()[0]!.id}
      />
    </PageShell>
  );
}
