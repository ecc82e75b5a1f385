import 'server-only';
import { fileTypeFromBuffer } from 'file-type';
import type { PromptImage } from '@/lib/ai/providers/types';
import { formatBytes, IMAGE_MAX_BYTES, isImageType } from '@/lib/attachments/limits';
import { V1Error } from './errors';

const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)?(?:;[\w=.+-]+)*;base64,([A-Za-z0-9+/=\s]*)$/;

const invalid = (message: string) => new V1Error('invalid_request', message, { param: 'messages', code: 'invalid_image_url' });

/**
 * An `image_url` content part as the model gets it. A data URL is checked by its content (an
 * image of a kind every vision model takes, within the size limit). An https URL is passed on
 * for the vendor to fetch: this server never fetches a URL a caller names, so it cannot be made
 * to reach its own network.
 */
export async function promptImage(url: string): Promise<PromptImage> {
  if (url.startsWith('data:')) return dataUrlImage(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('image_url.url must be a data: URL or an https: URL.');
  }
  if (parsed.protocol !== 'https:') throw invalid(`image_url.url must be a data: URL or an https: URL, not ${parsed.protocol}.`);
  return { url: parsed.href };
}

async function dataUrlImage(url: string): Promise<PromptImage> {
  const match = DATA_URL.exec(url);
  if (!match) throw invalid('image_url.url is not a base64 data URL (data:image/png;base64,…).');
  const data = new Uint8Array(Buffer.from(match[2]!, 'base64'));
  if (data.byteLength > IMAGE_MAX_BYTES) throw invalid(`Images can be at most ${formatBytes(IMAGE_MAX_BYTES)}.`);
  const detected = await fileTypeFromBuffer(data);
  if (!detected || !isImageType(detected.mime)) throw invalid('image_url data is not a PNG, JPEG, WebP or GIF image.');
  return { mediaType: detected.mime, data };
}
