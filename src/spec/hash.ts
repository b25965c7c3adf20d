import { createHash } from 'node:crypto';

/** The hex sha256 of a text (UTF-8) or bytes: what receipts record of every input and output. */
export const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
