// PEM (RFC 7468) armour: strict base64 body, one or more blocks.
import { PqsignError } from '../base/errors.js';

export interface PemBlock {
  label: string;
  der: Uint8Array;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

export const looksLikePem = (data: Uint8Array): boolean => {
  const head = Buffer.from(data.subarray(0, 256)).toString('latin1');
  return /-----BEGIN [A-Z0-9 ]+-----/.test(head);
};

export function decodePem(data: Uint8Array | string): PemBlock[] {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
  const out: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const body = m[2]!.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) {
      throw new PqsignError('ERR_KEY_FORMAT', `PEM block "${m[1]}" has an invalid base64 body`);
    }
    out.push({ label: m[1]!, der: new Uint8Array(Buffer.from(body, 'base64')) });
  }
  if (out.length === 0) throw new PqsignError('ERR_KEY_FORMAT', 'no PEM block found');
  return out;
}

export function encodePem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}
