import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { AccountPanel } from '@/components/account/account-panel';
import { PageShell } from '@/components/page-shell';
import { accountOverview } from '@/lib/auth/account-data';
import { signInProviders } from '@/lib/auth/providers';
import { accountSession } from '@/lib/auth/session';
import { getConfig } from '@/lib/config';
import { getDatabase } from '@/lib/db';

export const metadata: Metadata = { title: 'Account · Runnel' };

/** The signed-in person's account; a guest is sent to sign in. */
export default async function AccountPage() {
  // Read first: it makes the page render per request, never at build time.
  const requestHeaders = await headers();
  const session = await accountSession(requestHeaders);
  if (!session) redirect('/sign-in');
  const account = await accountOverview(await getDatabase(), session.user.id, session.session.id);
  if (!account) redirect('/sign-in');
  return (
    <PageShell title="Account" current="/account">
      <AccountPanel account={account} providers={signInProviders(getConfig().auth)} />
    </PageShell>
  );
}
