'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { FILES_PER_MESSAGE, formatBytes, IMAGE_MAX_BYTES, isImageType } from '@/lib/attachments/limits';
import type { AttachmentPart } from '@/lib/chat/message';

/** A file on its way into the next message. */
export interface PendingFile {
  key: string;
  name: string;
  /** A local preview of an image, shown while it uploads and after. */
  previewUrl: string | undefined;
  state: 'uploading' | 'ready' | 'failed';
  /** What the server answered: the part to send. */
  part?: AttachmentPart;
  error?: string;
}

export interface Attachments {
  files: PendingFile[];
  add(files: File[]): void;
  remove(key: string): void;
  /** After sending: the files went with the message. */
  clear(): void;
}

let counter = 0;

/**
 * The composer's attachments: each file is uploaded as soon as it is added (pasted, dropped or
 * picked), so sending waits for nothing that could have been done before. The server decides
 * what a file is by its content; the checks here only spare a doomed upload.
 */
export function useAttachments(): Attachments {
  const [files, setFiles] = useState<PendingFile[]>([]);
  // The list as of the last render, for callbacks that must not change with it.
  const filesRef = useRef(files);
  useEffect(() => {
    filesRef.current = files;
  }, [files]);

  const update = useCallback((key: string, change: Partial<PendingFile>) => {
    setFiles((list) => list.map((file) => (file.key === key ? { ...file, ...change } : file)));
  }, []);

  const add = useCallback(
    (added: File[]) => {
      const room = FILES_PER_MESSAGE - filesRef.current.length;
      const entries = added.map((file, i): PendingFile => {
        const key = `file-${++counter}`;
        const refusal = i >= room ? `A message can carry at most ${FILES_PER_MESSAGE} files.` : earlyRefusal(file);
        if (refusal) return { key, name: file.name, previewUrl: undefined, state: 'failed', error: refusal };
        void upload(file).then(
          (part) => {
            // Taken out while it uploaded: it is not wanted, so it is not kept either.
            if (!filesRef.current.some((f) => f.key === key)) void discard(part);
            else update(key, { state: 'ready', part });
          },
          (error: Error) => update(key, { state: 'failed', error: error.message }),
        );
        return { key, name: file.name, previewUrl: isImageType(file.type) ? URL.createObjectURL(file) : undefined, state: 'uploading' };
      });
      setFiles((list) => [...list, ...entries]);
    },
    [update],
  );

  const remove = useCallback((key: string) => {
    const file = filesRef.current.find((f) => f.key === key);
    if (!file) return;
    if (file.previewUrl) URL.revokeObjectURL(file.previewUrl);
    if (file.part) void discard(file.part);
    setFiles((list) => list.filter((f) => f.key !== key));
  }, []);

  const clear = useCallback(() => {
    for (const file of filesRef.current) if (file.previewUrl) URL.revokeObjectURL(file.previewUrl);
    setFiles([]);
  }, []);

  useEffect(() => () => filesRef.current.forEach((file) => file.previewUrl && URL.revokeObjectURL(file.previewUrl)), []);

  return { files, add, remove, clear };
}

/** An upload never sent is deleted now, rather than left for the server's daily sweep. */
const discard = (part: AttachmentPart) => fetch(part.url, { method: 'DELETE' }).catch(() => {});

function earlyRefusal(file: File): string | undefined {
  if (file.size === 0) return 'The file is empty.';
  if (isImageType(file.type) && file.size > IMAGE_MAX_BYTES) return `Images can be at most ${formatBytes(IMAGE_MAX_BYTES)}.`;
  return undefined;
}

async function upload(file: File): Promise<AttachmentPart> {
  const form = new FormData();
  form.append('file', file);
  let response: Response;
  try {
    response = await fetch('/api/attachments', { method: 'POST', body: form });
  } catch {
    throw new Error('The upload failed: check your connection and attach the file again.');
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok && isPart(body)) return body;
  throw new Error(errorMessage(body) ?? `The upload failed (HTTP ${response.status}).`);
}

const isPart = (body: unknown): body is AttachmentPart =>
  typeof body === 'object' && body !== null && (body as { type?: unknown }).type === 'file' && typeof (body as { url?: unknown }).url === 'string';

function errorMessage(body: unknown): string | undefined {
  const message = (body as { error?: { message?: unknown } } | undefined)?.error?.message;
  return typeof message === 'string' ? message : undefined;
}
