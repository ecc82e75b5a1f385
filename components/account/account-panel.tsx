'use client';

import { useRouter } from 'next/navigation';
import { useState, type ReactNode } from 'react';
import { Button } from '@/components/ui/button';
import type { AccountOverview } from '@/lib/auth/account-data';
import { authClient, startProviderSignIn, type SignInProvider } from '@/lib/auth/client';

interface AccountPanelProps {
  account: AccountOverview;
  /** The providers this deployment offers, to link. */
  providers: SignInProvider[];
}

/** The account page: ways in (passkeys, providers), sessions, export and closing the account. */
export function AccountPanel({ account, providers }: AccountPanelProps) {
  const router = useRouter();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  /** Runs an action; a message back is an error to show, and the page reloads what changed. */
  const run = async (action: () => Promise<string | undefined | void>) => {
    setBusy(true);
    setError(undefined);
    try {
      const failure = await action();
      if (failure) setError(failure);
      router.refresh();
    } catch (thrown) {
      setError(thrown instanceof Error ? thrown.message : 'That did not work.');
    } finally {
      setBusy(false);
    }
  };
  const call = async (path: string, method: string) => {
    const response = await fetch(path, { method });
    if (response.ok) return undefined;
    const body = (await response.json().catch(() => ({}))) as { error?: { message?: string }; message?: string };
    return body.error?.message ?? body.message ?? `Failed (${response.status}).`;
  };
  const leave = (to: string) => window.location.assign(to);

  const linked = new Set(account.providers.map((p) => p.providerId));
  return (
    <div className="mt-6 flex flex-col gap-8">
      <p className="text-sm">
        Signed in as <strong>{account.name}</strong>
        {account.email && <span className="text-ink-muted"> ({account.email})</span>}
      </p>
      {error && (
        <p role="alert" className="rounded-lg border border-red-500/40 bg-red-500/10 px-3 py-2 text-sm">
          {error}
        </p>
      )}

      <Section title="Passkeys">
        <ul className="flex flex-col gap-1" aria-label="Passkeys">
          {account.passkeys.map((key) => (
            <Row key={key.id} label={`${key.name ?? 'Passkey'}${key.createdAt ? ` · added ${day(key.createdAt)}` : ''}`}>
              <Button variant="ghost" disabled={busy} onClick={() => void run(async () => (await authClient.passkey.deletePasskey({ id: key.id })).error?.message)}>
                Remove
              </Button>
            </Row>
          ))}
          {account.passkeys.length === 0 && <li className="text-sm text-ink-muted">None yet.</li>}
        </ul>
        <Button variant="secondary" disabled={busy} onClick={() => void run(async () => (await authClient.passkey.addPasskey({ name: 'Passkey' }))?.error?.message)}>
          Add a passkey
        </Button>
      </Section>

      {(providers.length > 0 || account.providers.length > 0) && (
        <Section title="Linked sign-in providers">
          <ul className="flex flex-col gap-1" aria-label="Linked providers">
            {account.providers.map((p) => (
              <Row key={p.providerId} label={`${providers.find((known) => known.id === p.providerId)?.label ?? p.providerId} · linked ${day(p.createdAt)}`} />
            ))}
          </ul>
          {providers
            .filter((p) => !linked.has(p.id))
            .map((p) => (
              <Button key={p.id} variant="secondary" disabled={busy} onClick={() => void run(() => startProviderSignIn(p, { link: true, callbackURL: '/account' }))}>
                Link {p.label}
              </Button>
            ))}
        </Section>
      )}

      <Section title="Where you are signed in">
        <ul className="flex flex-col gap-1" aria-label="Sessions">
          {account.sessions.map((session) => (
            <Row key={session.id} label={`${session.current ? 'This browser' : describeAgent(session.userAgent)} · since ${day(session.createdAt)}${session.ipAddress ? ` · ${session.ipAddress}` : ''}`}>
              {!session.current && (
                <Button variant="ghost" disabled={busy} onClick={() => void run(() => call(`/api/account/sessions/${encodeURIComponent(session.id)}`, 'DELETE'))}>
                  Sign out
                </Button>
              )}
            </Row>
          ))}
        </ul>
        <div className="flex gap-2">
          <Button variant="secondary" disabled={busy} onClick={() => void run(async () => ((await authClient.signOut()).error?.message ?? leave('/')))}>
            Sign out
          </Button>
          <Button variant="secondary" disabled={busy} onClick={() => void run(async () => ((await authClient.revokeSessions()).error?.message ?? leave('/sign-in')))}>
            Sign out everywhere
          </Button>
        </div>
      </Section>

      <Section title="Your data">
        <a href="/api/account/export" className="text-sm underline">
          Export all my data (JSON)
        </a>
        <DeleteAccount busy={busy} onDelete={() => void run(async () => (await call('/api/account', 'DELETE')) ?? leave('/'))} />
      </Section>
    </div>
  );
}

function DeleteAccount({ busy, onDelete }: { busy: boolean; onDelete(): void }) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <Button variant="ghost" className="self-start text-red-600" disabled={busy} onClick={() => setConfirming(true)}>
        Delete my account…
      </Button>
    );
  }
  return (
    <div role="group" aria-label="Delete account" className="flex flex-col gap-2 rounded-lg border border-red-500/40 p-3 text-sm">
      <p>This deletes your conversations, API keys, passkeys and sessions for good. Usage records stay, no longer linked to you.</p>
      <div className="flex gap-2">
        <Button className="bg-red-600" disabled={busy} onClick={onDelete}>
          Delete my account
        </Button>
        <Button variant="ghost" onClick={() => setConfirming(false)}>
          Cancel
        </Button>
      </div>
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="flex flex-col items-start gap-3">
      <h2 className="text-lg font-medium">{title}</h2>
      {children}
    </section>
  );
}

function Row({ label, children }: { label: string; children?: ReactNode }) {
  return (
    <li className="flex items-center gap-3 text-sm">
      <span>{label}</span>
      {children}
    </li>
  );
}

const day = (iso: string) => iso.slice(0, 10);

/** A session's browser in a few words, from its User-Agent. */
function describeAgent(agent: string | null): string {
  if (!agent) return 'Another browser';
  const browser = /Firefox|Edg|Chrome|Safari/.exec(agent)?.[0]?.replace('Edg', 'Edge') ?? 'A browser';
  const system = /Android|iPhone|iPad|Mac OS X|Windows|Linux/.exec(agent)?.[0]?.replace('Mac OS X', 'macOS') ?? '';
  return system ? `${browser} on ${system}` : browser;
}
