// Base64url (RFC 4648 §5, unpadded as RFC 7515 §2 requires) over a stream of chunks of known total
// length. Encoding turns whole 3-byte groups into 4 characters and carries the 0–2 bytes left over
// into the next chunk; decoding does the same with 4-character groups (0–3 characters carried). The
// last chunk flushes the remainder, so no separate final call is needed. Chunks from the reader are
// reused buffers: anything carried is copied.
import type { ChunkTransform } from '../../formats/types.js';
import { concatBytes } from '../bytes.js';
import { PqsignError } from '../errors.js';

const EMPTY = new Uint8Array(0);
const ascii = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const view = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** Characters a base64url text may hold (no padding, no separators). */
const ALPHABET = (() => {
  const t = new Uint8Array(256);
  for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') t[c.charCodeAt(0)] = 1;
  return t;
})();

/** Throws unless every byte is a base64url character. */
export function checkBase64urlBytes(b: Uint8Array, what: string): void {
  for (let i = 0; i < b.length; i++) {
    if (!ALPHABET[b[i]!]) {
      const c = b[i]!;
      const shown = c >= 0x21 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
      throw new PqsignError('ERR_SIGNATURE_FORMAT', `${what} is not valid base64url (${shown})`);
    }
  }
}

/** A base64url text of `total` characters can only be decoded if it does not leave a lone character. */
export function checkBase64urlLength(total: number, what: string): void {
  if (total % 4 === 1) throw new PqsignError('ERR_SIGNATURE_FORMAT', `${what} is not valid base64url (length ${total})`);
}

/** Encode `total` input bytes, chunk by chunk. */
export function base64urlEncoder(total: number): ChunkTransform {
  let carry = EMPTY;
  let seen = 0;
  return (chunk, emit) => {
    seen += chunk.length;
    const data = carry.length ? concatBytes(carry, chunk) : chunk;
    const whole = seen >= total ? data.length : data.length - (data.length % 3);
    if (whole) emit(ascii(view(data.subarray(0, whole)).toString('base64url')));
    carry = Uint8Array.from(data.subarray(whole)); // a copy: Buffer#slice would be a view
  };
}

/** Decode `total` base64url characters, chunk by chunk, refusing anything outside the alphabet. */
export function base64urlDecoder(total: number, what: string): ChunkTransform {
  checkBase64urlLength(total, what);
  let carry = EMPTY;
  let seen = 0;
  return (chunk, emit) => {
    checkBase64urlBytes(chunk, what);
    seen += chunk.length;
    const data = carry.length ? concatBytes(carry, chunk) : chunk;
    const whole = seen >= total ? data.length : data.length - (data.length % 4);
    if (whole) emit(new Uint8Array(Buffer.from(view(data.subarray(0, whole)).toString('latin1'), 'base64url')));
    carry = Uint8Array.from(data.subarray(whole)); // a copy: Buffer#slice would be a view
  };
}

/** Pass base64url text through unchanged (it is signed as text), refusing anything outside the alphabet. */
export function base64urlChecker(what: string): ChunkTransform {
  return (chunk, emit) => {
    checkBase64urlBytes(chunk, what);
    emit(chunk);
  };
}
