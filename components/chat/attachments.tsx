'use client';

import { DocumentIcon } from '@/components/ui/icons';
import { formatBytes, isImageType } from '@/lib/attachments/limits';
import type { AttachmentPart } from '@/lib/chat/message';
import type { PendingFile } from '@/hooks/use-attachments';

/** A document's chip text: its name, and what it costs the conversation in tokens. */
const documentNote = (part: AttachmentPart) =>
  [part.size !== undefined && formatBytes(part.size), part.tokens !== undefined && `${part.tokens.toLocaleString('en')} tokens`].filter(Boolean).join(' · ');

/** The files a sent message carries: images as thumbnails, documents as chips; each opens the file. */
export function MessageFiles({ files }: { files: AttachmentPart[] }) {
  if (files.length === 0) return null;
  return (
    <ul aria-label="Attached files" className="flex flex-wrap justify-end gap-2">
      {files.map((file) => (
        <li key={file.url}>
          <a href={file.url} target="_blank" rel="noreferrer" className="block rounded-xl focus-visible:outline-2 focus-visible:outline-accent">
            {isImageType(file.mediaType) ? (
              // eslint-disable-next-line @next/next/no-img-element -- the person's own file, served by this server as it is
              <img src={file.url} alt={file.filename ?? 'Attached image'} loading="lazy" className="size-24 rounded-xl border border-line object-cover" />
            ) : (
              <DocumentChip name={file.filename ?? 'File'} note={documentNote(file)} />
            )}
          </a>
        </li>
      ))}
    </ul>
  );
}

function DocumentChip({ name, note }: { name: string; note: string }) {
  return (
    <span className="flex max-w-64 items-center gap-2 rounded-xl border border-line bg-surface px-3 py-2 text-sm">
      <DocumentIcon className="size-5 shrink-0 text-ink-muted" />
      <span className="min-w-0">
        <span className="block truncate font-medium">{name}</span>
        {note && <span className="block text-xs text-ink-muted">{note}</span>}
      </span>
    </span>
  );
}

/** The composer's files: each with its state (uploading, ready, or why it failed) and a way to take it out. */
export function PendingFiles({ files, onRemove }: { files: PendingFile[]; onRemove(key: string): void }) {
  if (files.length === 0) return null;
  return (
    <ul aria-label="Files to send" className="flex basis-full flex-wrap gap-2 px-1 pt-1">
      {files.map((file) => (
        <li key={file.key} data-state={file.state} className="relative">
          {file.previewUrl ? (
            // eslint-disable-next-line @next/next/no-img-element -- a local preview (blob: URL)
            <img src={file.previewUrl} alt={file.name} className={`size-14 rounded-lg border border-line object-cover ${file.state === 'uploading' ? 'opacity-50' : ''}`} />
          ) : (
            <DocumentChip name={file.name} note={file.state === 'uploading' ? 'Reading…' : file.part ? documentNote(file.part) : ''} />
          )}
          {file.state === 'failed' && (
            <p role="status" className="mt-1 max-w-64 text-xs text-danger">
              {file.name}: {file.error}
            </p>
          )}
          <button
            type="button"
            aria-label={`Remove ${file.name}`}
            onClick={() => onRemove(file.key)}
            className="absolute -top-1.5 -right-1.5 flex size-5 items-center justify-center rounded-full border border-line bg-surface text-xs text-ink-muted hover:text-ink"
          >
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
