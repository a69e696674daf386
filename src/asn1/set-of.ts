// DER SET OF (X.690 §11.6): the encodings of the elements are sorted as octet strings, the shorter one
// compared as if padded with trailing zero octets. Signed attributes must be DER (RFC 5652 §5.3).
import { concatList } from '../base/bytes.js';
import { tlv } from './der.js';

export const SET = 0x31;

export function compareDer(a: Uint8Array, b: Uint8Array): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export const derSetOf = (elements: Uint8Array[], tag = SET): Uint8Array => tlv(tag, concatList([...elements].sort(compareDer)));
