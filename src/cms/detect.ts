// Recognising a CMS SignedData by its first bytes, without parsing libraries (this runs for every verify).
import { equalBytes } from '../base/bytes.js';

/** DER of OBJECT IDENTIFIER id-signedData (1.2.840.113549.1.7.2), tag and length included */
export const SIGNED_DATA_OID = Uint8Array.of(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02);

/** RFC 7468 §9 writes "CMS"; OpenSSL and others write "PKCS7". */
export const PEM_LABELS = ['CMS', 'PKCS7'] as const;

/** ContentInfo: SEQUENCE (any length form), then the signedData content type. */
export function looksLikeCmsDer(head: Uint8Array): boolean {
  if (head[0] !== 0x30 || head.length < 2) return false;
  const first = head[1]!;
  const lengthOctets = first === 0x80 ? 0 : first > 0x80 ? first & 0x7f : 0;
  const at = 2 + lengthOctets;
  return equalBytes(head.subarray(at, at + SIGNED_DATA_OID.length), SIGNED_DATA_OID);
}

export function looksLikeCmsPem(head: Uint8Array): boolean {
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1');
  return PEM_LABELS.some((l) => text.includes(`-----BEGIN ${l}-----`));
}
