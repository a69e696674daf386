// The DER that names ML-DSA: its AlgorithmIdentifier (parameters absent, RFC 9881 §2) and its
// SubjectPublicKeyInfo (RFC 9881 §4). Here rather than in the key codecs because the OpenSSL back-end
// imports public keys as SPKI.
import { TAG, tlv } from '../asn1/der.js';
import type { ParamSet } from './params.js';

/** Also a composite algorithm's (its OID alone, parameters absent): both carry `oidDer`. */
export const signatureAlgorithmId = (p: Pick<ParamSet, 'oidDer'>): Uint8Array => tlv(TAG.SEQUENCE, tlv(TAG.OID, p.oidDer));

export function encodeSpki(params: ParamSet, publicKey: Uint8Array): Uint8Array {
  return tlv(TAG.SEQUENCE, signatureAlgorithmId(params), tlv(TAG.BIT_STRING, Uint8Array.of(0), publicKey));
}
