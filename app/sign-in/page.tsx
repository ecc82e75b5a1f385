import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { SignInPanel } from '@/components/account/sign-in-panel';
import { passkeySignUpAllowed } from '@/lib/auth/auth';
import { signInErrorText, signInProviders } from '@/lib/auth/providers';
import { currentViewer } from '@/lib/auth/session';
import { getConfig } from '@/lib/config';

export const metadata: Metadata = { title: 'Sign in · Runnel' };

/** Sign in (or make an account); a signed-in visitor goes to their account instead. */
export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string | string[] }> }) {
  if ((await currentViewer()).account) redirect('/account');
  const { auth } = getConfig();
  const { error } = await searchParams;
  return (
    <main className="mx-auto w-full max-w-sm px-4 py-16">
      <h1 className="text-2xl font-semibold tracking-tight">Sign in to Runnel</h1>
      <SignInPanel
        providers={signInProviders(auth)}
        passkeySignUp={passkeySignUpAllowed(auth)}
        required={auth.mode === 'required'}
        error={signInErrorText(typeof error === 'string' ? error : undefined)}
      />
    </main>
  );
}
