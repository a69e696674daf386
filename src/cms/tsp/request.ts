// TimeStampReq (RFC 3161 §2.4.1): version 1, the messageImprint (a hash of the data to time-stamp; for a
// CMS signature the SignerInfo's signature value), an optional policy, a nonce and certReq TRUE, so the TSA
// puts its certificate in the token and a verifier needs only the TSA's root.
import { randomBytes } from 'node:crypto';
import { TAG, derUint, oid, tlv } from '../../asn1/der.js';
import { digestAlgorithmId } from '../algorithm-ids.js';
import type { DigestAlgorithm } from '../digests.js';

const BOOLEAN_TRUE = Uint8Array.of(0x01, 0x01, 0xff);

/** 64 random bits as a positive, minimally encoded INTEGER's value octets (top bit clear, next set). */
export function randomNonce(): Uint8Array {
  const n = new Uint8Array(randomBytes(8));
  n[0] = (n[0]! & 0x3f) | 0x40;
  return n;
}

export function encodeTimeStampReq(digest: DigestAlgorithm, hash: Uint8Array, nonce: Uint8Array, policy?: string): Uint8Array {
  return tlv(
    TAG.SEQUENCE,
    derUint(1),
    tlv(TAG.SEQUENCE, digestAlgorithmId(digest), tlv(TAG.OCTET_STRING, hash)),
    policy ? oid(policy) : new Uint8Array(0),
    tlv(TAG.INTEGER, nonce),
    BOOLEAN_TRUE,
  );
}
