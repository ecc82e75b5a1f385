import { useChat } from '@ai-sdk/react';
import { DefaultChatTransport } from 'ai';
import { createRoot } from 'react-dom/client';

/**
 * The AI SDK's own client, as an app built on it would use it against Runnel: `useChat` with
 * `resume: true` and the default transport. Bundled by e2e/resume.spec.ts and run in a page of
 * Runnel's origin; it renders the last answer's text and the chat's status for the test to read.
 */
declare global {
  interface Window {
    chatId: string;
  }
}

function ResumingChat() {
  const { messages, status } = useChat({ id: window.chatId, resume: true, transport: new DefaultChatTransport({ api: '/api/chat' }) });
  const last = messages.findLast((message) => message.role === 'assistant');
  const text = last?.parts.map((part) => (part.type === 'text' ? part.text : '')).join('') ?? '';
  return (
    <main>
      <p data-testid="status">{status}</p>
      <pre data-testid="answer">{text}</pre>
    </main>
  );
}

const root = document.createElement('div');
document.body.replaceChildren(root);
createRoot(root).render(<ResumingChat />);
