'use client';

import { InstructionsEditor, sendJson } from './instructions-editor';

/** Settings: how the assistant should answer, in every new conversation. */
export function CustomInstructions({ initial }: { initial: string | null }) {
  return (
    <section aria-labelledby="custom-instructions" className="mt-8">
      <h2 id="custom-instructions" className="mb-2 text-lg font-semibold">
        Custom instructions
      </h2>
      <InstructionsEditor
        label="How should the assistant answer?"
        hint="Sent to the model before every new conversation, as its system prompt. A conversation can change its own from its header."
        initial={initial}
        save={(instructions) => sendJson('/api/instructions', 'PUT', { instructions: instructions ?? '' })}
      />
    </section>
  );
}
