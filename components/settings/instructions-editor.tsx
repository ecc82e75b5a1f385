'use client';

import { useId, useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';

interface InstructionsEditorProps {
  label: string;
  hint: string;
  initial: string | null;
  /** Saves the text (null clears it); answers an error message if it could not. */
  save(text: string | null): Promise<string | undefined>;
}

/** A text the model is told before every conversation or this one: edit, save, and see that it saved. */
export function InstructionsEditor({ label, hint, initial, save }: InstructionsEditorProps) {
  const id = useId();
  const [text, setText] = useState(initial ?? '');
  const [saved, setSaved] = useState(initial ?? '');
  const [state, setState] = useState<{ busy?: boolean; error?: string; done?: boolean }>({});

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setState({ busy: true });
    const error = await save(text.trim() || null).catch(() => 'Could not reach the server.');
    if (error) return setState({ error });
    setSaved(text.trim());
    setState({ done: true });
  };

  return (
    <form onSubmit={submit} className="flex flex-col gap-2">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      <p className="text-sm text-ink-muted">{hint}</p>
      <textarea
        id={id}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setState({});
        }}
        rows={5}
        maxLength={8000}
        className="rounded-lg border border-line bg-surface px-3 py-2 text-sm"
      />
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={state.busy || text.trim() === saved}>
          Save
        </Button>
        {state.done && <span role="status" className="text-sm text-ink-muted">Saved.</span>}
        {state.error && (
          <span role="alert" className="text-sm text-danger">
            {state.error}
          </span>
        )}
      </div>
    </form>
  );
}

/** Sends a JSON body and answers the server's error message, if any. */
export async function sendJson(path: string, method: 'PUT' | 'PATCH', body: object): Promise<string | undefined> {
  const response = await fetch(path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.ok) return undefined;
  const failure = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
  return failure.error?.message ?? `Not saved (${response.status}).`;
}
