import 'server-only';
import { ChatError } from '@/lib/errors';
import { fileTooLarge } from './content';

/** Room for the multipart boundaries and headers around the file. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

/**
 * The one file of a `multipart/form-data` upload (field `file`), read no further than the size
 * limit allows: a larger upload is refused as soon as it is known to be larger, not buffered.
 */
export async function readUpload(request: Request, maxBytes: number): Promise<{ name: string; bytes: Uint8Array }> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\b/i.test(type)) {
    throw new ChatError('unsupported_media_type', 'Send the file as multipart/form-data, in a field named "file".');
  }
  const limit = maxBytes + FORM_OVERHEAD_BYTES;
  if (Number(request.headers.get('content-length')) > limit) throw fileTooLarge(maxBytes);
  const bounded = request.body ? boundedBody(request.body, limit) : undefined;
  let form: FormData;
  try {
    form = await new Response(bounded?.stream, { headers: { 'content-type': type } }).formData();
  } catch {
    if (bounded?.exceeded()) throw fileTooLarge(maxBytes);
    throw new ChatError('invalid_request', 'The upload is not a valid multipart form.');
  }
  const file = form.get('file');
  if (!(file instanceof File)) throw new ChatError('invalid_request', 'Send the file in a form field named "file".');
  return { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
}

/** The body, erroring once more than `limit` bytes have come. */
function boundedBody(body: ReadableStream<Uint8Array>, limit: number) {
  let size = 0;
  const stream = body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size > limit) controller.error(new Error('upload too large'));
        else controller.enqueue(chunk);
      },
    }),
  );
  return { stream, exceeded: () => size > limit };
}
