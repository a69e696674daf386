// Small byte helpers shared by every module (search here before writing another).
import { PqsignError } from './errors.js';

/** A few parts given as arguments; a list of any length goes to concatList (never spread it into a call). */
export const concatBytes = (...parts: Uint8Array[]): Uint8Array => concatList(parts);

/**
 * Concatenate a list of any length. Spreading a list into a call (`f(...parts)`) puts every element on
 * the stack, so an input with 100,000 tiny elements would fail with "Maximum call stack size exceeded".
 */
export function concatList(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

export const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** Strict hex: even length, hex digits only (optional 0x prefix). */
export function fromHex(hex: string, what = 'hex value'): Uint8Array {
  const h = hex.trim().replace(/^0x/i, '');
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) {
    throw new PqsignError('ERR_USAGE', `${what} is not valid hex`);
  }
  return new Uint8Array(Buffer.from(h, 'hex'));
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export const b64url = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');

/** Strict base64url (RFC 7515 §2: no padding, url alphabet). */
export function fromB64url(s: string, what = 'base64url value'): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) {
    throw new PqsignError('ERR_SIGNATURE_FORMAT', `${what} is not valid base64url`);
  }
  return new Uint8Array(Buffer.from(s, 'base64url'));
}

/** Strict standard base64 (padding required when present in the input). */
export function fromB64(s: string, what = 'base64 value'): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) {
    throw new PqsignError('ERR_SIGNATURE_FORMAT', `${what} is not valid base64`);
  }
  return new Uint8Array(Buffer.from(s, 'base64'));
}
