/** Client-safe: what may be attached, so the composer can say no before uploading. */

/** Images every vision model takes. */
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;

/** Anthropic's per-image limit, the strictest of the vendors'. */
export const IMAGE_MAX_BYTES = 5 * 1024 * 1024;

/** Files one message may carry. */
export const FILES_PER_MESSAGE = 10;

/** The most text one document may bring into a conversation (about 50,000 tokens). */
export const DOCUMENT_MAX_CHARS = 200_000;

/** What the file picker offers; the server decides by content, whatever a name says. */
export const PICKER_ACCEPT = [...IMAGE_TYPES, 'application/pdf', 'text/*', '.md', '.csv', '.json', '.ts', '.tsx', '.js', '.py', '.yaml', '.yml', '.toml', '.log'].join(',');

export const isImageType = (mediaType: string): boolean => (IMAGE_TYPES as readonly string[]).includes(mediaType);

/** `1.2 MB`, `340 KB`, `12 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / 1024 / 1024).toFixed(1))} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}
