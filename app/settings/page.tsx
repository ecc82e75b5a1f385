import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { PageShell } from '@/components/page-shell';
import { ApiKeys } from '@/components/settings/api-keys';
import { listApiKeys } from '@/lib/auth/api-keys';
import { currentIdentityId } from '@/lib/auth/session';
import { chatModels } from '@/lib/chat/chat-model';
import { getDatabase } from '@/lib/db';

export const metadata: Metadata = { title: 'Settings · Runnel' };

/** Settings: API keys for using this Runnel from programs, as this browser's identity. */
export default async function SettingsPage() {
  const identityId = await currentIdentityId();
  const keys = identityId ? await listApiKeys(await getDatabase(), identityId) : [];
  const requestHeaders = await headers();
  const host = requestHeaders.get('x-forwarded-host') ?? requestHeaders.get('host') ?? 'localhost:3000';
  const protocol = requestHeaders.get('x-forwarded-proto') ?? (host.startsWith('localhost') || host.startsWith('127.') ? 'http' : 'https');
  return (
    <PageShell title="Settings" current="/settings">
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
