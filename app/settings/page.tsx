import type { Metadata } from 'next';
import { headers } from 'next/headers';
import Link from 'next/link';
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
    <main className="mx-auto w-full max-w-3xl px-4 py-8">
      <nav className="mb-6 text-sm">
        <Link href="/" className="text-ink-muted hover:text-ink">
          ← Back to chat
        </Link>
      </nav>
      <h1 className="text-2xl font-semibold tracking-tight">Settings</h1>
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
    </main>
  );
}
