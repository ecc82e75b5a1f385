'use client';

import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { authClient, startProviderSignIn, type SignInProvider } from '@/lib/auth/client';

interface SignInPanelProps {
  providers: SignInProvider[];
  /** Whether someone new may make an account with a passkey alone. */
  passkeySignUp: boolean;
  /** Guests may not chat here (RUNNEL_AUTH=required). */
  required: boolean;
  error?: string;
}

/** Sign in with a passkey or a provider, or make an account with a passkey. Where to next: the chat. */
export function SignInPanel({ providers, passkeySignUp, required, error: initialError }: SignInPanelProps) {
  const [error, setError] = useState(initialError);
  const [busy, setBusy] = useState(false);
  const [name, setName] = useState('');

  const run = async (action: () => Promise<string | undefined>) => {
    setBusy(true);
    setError(undefined);
    const failure = await action().catch((thrown: unknown) => (thrown instanceof Error ? thrown.message : 'Sign-in failed.'));
    // Success leaves the page; only a failure is still here to be shown.
    if (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  // A full load: every page rendered so far was rendered for the guest.
  // eslint-disable-next-line @next/next/no-location-assign-relative-destination
  const enter = () => window.location.assign('/');

  const signInWithPasskey = () =>
    run(async () => {
      const { error: failure } = await authClient.signIn.passkey();
      if (failure) return failure.message ?? 'The passkey was not accepted.';
      enter();
    });

  const createWithPasskey = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const { error: failure } = await authClient.passkey.addPasskey({ name: 'Passkey', context: name.trim(), createSession: true });
      if (failure) return failure.message ?? 'The passkey was not created.';
      enter();
    });
  };

  return (
    <div className="mt-6 flex flex-col gap-6">
      {required && <p className="text-sm text-ink-muted">This Runnel is for its members: sign in to chat.</p>}
      {!required && <p className="text-sm text-ink-muted">Signing in keeps your conversations on every device. What you did as a guest in this browser moves into your account.</p>}
      {error && (
        <p role="alert" className="rounded-lg border border-red-500/40 bg-red-500/10 px-3 py-2 text-sm">
          {error}
        </p>
      )}
      <section className="flex flex-col gap-2">
        <Button onClick={() => void signInWithPasskey()} disabled={busy}>
          Sign in with a passkey
        </Button>
        {providers.map((provider) => (
          <Button key={provider.id} variant="secondary" disabled={busy} onClick={() => void run(() => startProviderSignIn(provider, { link: false, callbackURL: '/' }))}>
            Continue with {provider.label}
          </Button>
        ))}
      </section>
      {passkeySignUp && (
        <form onSubmit={createWithPasskey} className="flex flex-col gap-2 border-t border-line pt-6">
          <h2 className="text-sm font-medium">New here? Make an account with a passkey</h2>
          <label className="flex flex-col gap-1 text-sm">
            Your name
            <input
              value={name}
              onChange={(event) => setName(event.target.value)}
              maxLength={100}
              required
              autoComplete="name"
              className="h-9 rounded-lg border border-line bg-surface px-3"
            />
          </label>
          <Button type="submit" variant="secondary" disabled={busy || !name.trim()}>
            Create account with a passkey
          </Button>
        </form>
      )}
    </div>
  );
}
