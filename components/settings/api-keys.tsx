'use client';

import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';

export interface KeyView {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface ApiKeysProps {
  initialKeys: KeyView[];
  /** Where this server's OpenAI-compatible API is, for the examples. */
  baseUrl: string;
  exampleModel: string;
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'never');

/** Create (shown once), list and revoke this identity's API keys. */
export function ApiKeys({ initialKeys, baseUrl, exampleModel }: ApiKeysProps) {
  const [keys, setKeys] = useState(initialKeys);
  const [name, setName] = useState('');
  // `secret`, not `key`: React keeps a prop named `key` for itself.
  const [created, setCreated] = useState<{ name: string; secret: string }>();
  const [failure, setFailure] = useState<string>();

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(undefined);
    const response = await fetch('/api/keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
    const body = (await response.json().catch(() => ({}))) as { key?: string; summary?: KeyView; error?: { message?: string } };
    if (!response.ok || !body.key || !body.summary) return setFailure(body.error?.message ?? 'The key could not be created.');
    setCreated({ name: body.summary.name, secret: body.key });
    setKeys((list) => [body.summary!, ...list]);
    setName('');
  };

  const revoke = async (key: KeyView) => {
    setFailure(undefined);
    const response = await fetch(`/api/keys/${encodeURIComponent(key.id)}`, { method: 'DELETE' });
    const body = (await response.json().catch(() => ({}))) as { revoked?: KeyView; error?: { message?: string } };
    if (!response.ok || !body.revoked) return setFailure(body.error?.message ?? 'The key could not be revoked.');
    setKeys((list) => list.map((k) => (k.id === key.id ? body.revoked! : k)));
  };

  return (
    <section aria-labelledby="api-keys" className="mt-8 space-y-4">
      <div>
        <h2 id="api-keys" className="text-lg font-semibold">
          API keys
        </h2>
        <p className="mt-1 text-sm text-ink-muted">
          Programs can use Runnel through its OpenAI-compatible API at <code>{baseUrl}</code>, with any OpenAI client. Their chats are saved to
          your conversations.
        </p>
      </div>

      <form onSubmit={create} className="flex gap-2">
        <input
          aria-label="Key name"
          placeholder="Name, e.g. ci-bot"
          value={name}
          maxLength={100}
          onChange={(event) => setName(event.target.value)}
          className="h-9 flex-1 rounded-lg border border-line bg-surface px-3 text-sm outline-none focus:border-accent"
        />
        <Button type="submit" disabled={!name.trim()}>
          Create key
        </Button>
      </form>
      {failure && (
        <p role="alert" className="text-sm text-danger">
          {failure}
        </p>
      )}

      {created && <NewKey {...created} baseUrl={baseUrl} exampleModel={exampleModel} onDone={() => setCreated(undefined)} />}

      {keys.length === 0 ? (
        <p className="text-sm text-ink-muted">No keys yet.</p>
      ) : (
        <table className="w-full text-left text-sm">
          <thead className="text-xs text-ink-muted">
            <tr>
              <th className="py-1 font-medium">Name</th>
              <th className="py-1 font-medium">Key</th>
              <th className="py-1 font-medium">Last used</th>
              <th className="py-1" />
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.id} className="border-t border-line" data-revoked={key.revokedAt ? 'true' : undefined}>
                <td className="py-2">{key.name}</td>
                <td className="py-2 font-mono text-xs">{key.prefix}…</td>
                <td className="py-2 text-ink-muted">{when(key.lastUsedAt)}</td>
                <td className="py-2 text-right">
                  {key.revokedAt ? (
                    <span className="text-xs text-ink-muted">Revoked</span>
                  ) : (
                    <Button variant="ghost" aria-label={`Revoke ${key.name}`} onClick={() => void revoke(key)}>
                      Revoke
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function NewKey({ name, secret, baseUrl, exampleModel, onDone }: { name: string; secret: string; baseUrl: string; exampleModel: string; onDone(): void }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(secret);
    setCopied(true);
  };
  const curl = `curl ${baseUrl}/chat/completions \\\n  -H "Authorization: Bearer ${secret}" \\\n  -H "Content-Type: application/json" \\\n  -d '{"model": "${exampleModel}", "stream": true, "messages": [{"role": "user", "content": "Hello"}]}'`;
  return (
    <div role="status" className="space-y-2 rounded-xl border border-accent/40 bg-accent/5 p-3 text-sm">
      <p>
        Your new key <strong>{name}</strong>. Copy it now: Runnel keeps only a hash and cannot show it again.
      </p>
      <div className="flex items-center gap-2">
        <code data-testid="new-key" className="flex-1 overflow-x-auto rounded-lg bg-surface px-2 py-1.5 font-mono text-xs">
          {secret}
        </code>
        <Button variant="secondary" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </div>
      <pre className="overflow-x-auto rounded-lg bg-surface p-2 text-xs">{curl}</pre>
      <Button variant="ghost" onClick={onDone}>
        Done
      </Button>
    </div>
  );
}
