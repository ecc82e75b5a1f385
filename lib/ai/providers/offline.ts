import 'server-only';
import type { ChunkSink, Prompt, Provider, UpstreamStream } from './types';

/**
 * A built-in model for running Runnel with no provider configured. It streams a fixed, useful
 * answer through the same route and protocol as a real model, at a realistic pace. Its "tokens"
 * are its own word-sized pieces, so its usage counts are exact for it.
 */
export function createOfflineProvider(options: { tokensPerSecond: number }): Provider {
  return {
    health: async () => ({ ok: true }),
    async open(prompt: Prompt, signal: AbortSignal): Promise<UpstreamStream> {
      const question = prompt.messages.findLast((m) => m.role === 'user');
      const tokens = splitIntoTokens(offlineAnswer(question?.content.trim() ?? '', question?.images?.length));
      const inputTokens = prompt.messages.reduce((n, m) => n + splitIntoTokens(m.content).length, 0);
      const delayMs = options.tokensPerSecond > 0 ? 1000 / options.tokensPerSecond : 0;
      return {
        async pipe(sink: ChunkSink) {
          for (const token of tokens) {
            if (delayMs > 0) await sleep(delayMs, signal);
            if (signal.aborted) return;
            sink.text(token);
          }
          sink.finish('stop');
          sink.usage({ inputTokens, outputTokens: tokens.length, totalTokens: inputTokens + tokens.length });
        },
      };
    },
  };
}

const QUOTE_LIMIT = 280;

export function offlineAnswer(question: string, images = 0): string {
  const quoted = question.length > QUOTE_LIMIT ? `${question.slice(0, QUOTE_LIMIT)}…` : question;
  const shown = images === 0 ? [] : ['', `With it came ${images === 1 ? 'an image' : `${images} images`}, which a real model would look at.`];
  return [
    '**Offline demo.** Runnel is running without a model provider, so this reply comes from its built-in demo model, not from an AI. It cannot answer your question, but it shows the whole path working: your message went to the server, and this text is streaming back token by token. Press **Stop** at any time to cancel it.',
    '',
    'You asked:',
    '',
    ...quoted.split('\n').map((line) => `> ${line}`),
    ...shown,
    '',
    '### Connect a real model',
    '',
    'Set a provider in `.env.local` at the root of the project and restart `npm run dev`:',
    '',
    '```bash',
    '# OpenAI',
    'OPENAI_API_KEY=sk-...',
    'OPENAI_MODEL=gpt-4o-mini',
    '',
    '# or any OpenAI-compatible server, e.g. Ollama on this machine',
    'OPENAI_BASE_URL=http://localhost:11434/v1',
    'OPENAI_MODEL=llama3.2',
    '```',
    '',
    'vLLM (`http://localhost:8000/v1`), LM Studio (`http://localhost:1234/v1`) and OpenRouter work the same way. See the README for details.',
  ].join('\n');
}

/** Word-sized pieces that keep their whitespace, so joining them restores the text exactly. */
export function splitIntoTokens(text: string): string[] {
  return text.match(/\s*\S{1,6}|\s+/g) ?? [];
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
