/** Client-safe: how a message's file part names the attachment it carries. */

const URL_PREFIX = '/api/attachments/';
const ID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const ATTACHMENT_ID = new RegExp(`^${ID}$`);
const ATTACHMENT_URL = new RegExp(`^/api/attachments/(${ID})$`);

export const isAttachmentId = (id: string): boolean => ATTACHMENT_ID.test(id);

export const attachmentUrl = (id: string): string => `${URL_PREFIX}${id}`;

/** The attachment a file part's URL names, or undefined for any other URL. */
export const attachmentIdOf = (url: string): string | undefined => ATTACHMENT_URL.exec(url)?.[1];
