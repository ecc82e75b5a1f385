/**
 * How the fake upstream writes a streamed reply: OpenAI's Chat Completions chunks or Anthropic's
 * Messages events, byte for byte as the vendors send them.
 */
export interface Wire {
  /** Events sent before the first token. */
  start(): string;
  reasoning(text: string): string;
  text(text: string): string;
  /** Events that end a complete reply; `usage` absent when the client did not ask for it. */
  end(usage: { input: number; output: number } | undefined): string;
  /** The vendor's error event after the headers. */
  errorEvent(): string;
  /** Something that is not an event the client can parse. */
  malformed(): string;
  /** The vendor's JSON body for an HTTP error. */
  errorBody(status: number): unknown;
}

const sse = (data: unknown, event?: string) => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

export function openAIWire(id: string, model: string): Wire {
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: object, finish: string | null = null) =>
    sse({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  return {
    start: () => chunk({ role: 'assistant', content: '', refusal: null }),
    // vLLM and DeepSeek's field for a reasoning model's thinking.
    reasoning: (text) => chunk({ reasoning_content: text }),
    text: (text) => chunk({ content: text }),
    end: (usage) =>
      chunk({}, 'stop') +
      (usage
        ? sse({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output } })
        : '') +
      'data: [DONE]\n\n',
    errorEvent: () => sse(openAIError('The server had an error while processing your request.', 'server_error')),
    malformed: () => 'data: {"id": "broken", "choices": [\n\n',
    errorBody: (status) =>
      status === 401
        ? openAIError('Incorrect API key provided: sk-secret-123.', 'invalid_request_error')
        : openAIError(`Fake failure with status ${status}.`, status === 429 ? 'rate_limit_exceeded' : status < 500 ? 'invalid_request_error' : 'server_error'),
  };
}

export const openAIError = (message: string, type: string) => ({ error: { message, type, param: null, code: null } });

export function anthropicWire(id: string, model: string): Wire {
  let index = -1;
  let open: 'thinking' | 'text' | undefined;
  let output = 0;
  /** Anthropic sends each run of thinking or text as its own content block. */
  const block = (type: 'thinking' | 'text') => {
    if (open === type) return '';
    const close = open ? sse({ type: 'content_block_stop', index }, 'content_block_stop') : '';
    open = type;
    index++;
    const content = type === 'text' ? { type, text: '' } : { type, thinking: '', signature: '' };
    return close + sse({ type: 'content_block_start', index, content_block: content }, 'content_block_start');
  };
  const delta = (type: 'thinking' | 'text', text: string) => {
    output++;
    const body = type === 'text' ? { type: 'text_delta', text } : { type: 'thinking_delta', thinking: text };
    return block(type) + sse({ type: 'content_block_delta', index, delta: body }, 'content_block_delta');
  };
  return {
    start: () =>
      sse(
        {
          type: 'message_start',
          message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 2, output_tokens: 1 } },
        },
        'message_start',
      ) + sse({ type: 'ping' }, 'ping'),
    reasoning: (text) => delta('thinking', text),
    text: (text) => delta('text', text),
    end: () =>
      (open ? sse({ type: 'content_block_stop', index }, 'content_block_stop') : '') +
      // Anthropic always reports usage; `output_tokens` is cumulative.
      sse({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: output } }, 'message_delta') +
      sse({ type: 'message_stop' }, 'message_stop'),
    errorEvent: () => sse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'error'),
    malformed: () => 'event: content_block_delta\ndata: {"type": "content_block_delta", "index": \n\n',
    errorBody: (status) => ({ type: 'error', error: anthropicError(status) }),
  };
}

function anthropicError(status: number): { type: string; message: string } {
  switch (status) {
    case 401:
      return { type: 'authentication_error', message: 'invalid x-api-key' };
    case 429:
      return { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit.' };
    case 529:
      return { type: 'overloaded_error', message: 'Overloaded' };
    default:
      return { type: status < 500 ? 'invalid_request_error' : 'api_error', message: `Fake failure with status ${status}.` };
  }
}
