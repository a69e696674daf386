// The ECC signing keys of the local KMS (the traditional part of composite signatures; specs in
// ../ecc-specs.ts): key material from OpenSSL (node:crypto), the digest KMS signs (RAW ≤ 4096 bytes,
// hashed here, or DIGEST as given) and DER (X9.62 Ecdsa-Sig-Value) signatures, as KMS returns them.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import type { EccSpec } from '../kms/ecc-specs.js';

export { eccSpec, type EccKeySpec, type EccSpec } from '../kms/ecc-specs.js';

export const generateEccKey = (spec: EccSpec): KeyObject => generateKeyPairSync('ec', { namedCurve: spec.curve }).privateKey;

/** PKCS#8 DER (the stored form) → private key, checked to lie on the spec's curve. */
export function eccKeyFromPkcs8(spec: EccSpec, der: Uint8Array): KeyObject {
  const key = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== spec.curve) throw new Error(`not a ${spec.curve} key`);
  return key;
}

export const eccPkcs8 = (key: KeyObject): Uint8Array => new Uint8Array(key.export({ format: 'der', type: 'pkcs8' }));
export const eccSpki = (key: KeyObject): Uint8Array => new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' }));

/** The digest KMS signs: the hash of a RAW message, or the DIGEST as given (length checked by the caller). */
export const eccDigest = (spec: EccSpec, message: Uint8Array, messageType: 'RAW' | 'DIGEST'): Uint8Array =>
  messageType === 'RAW' ? new Uint8Array(createHash(spec.hash).update(message).digest()) : message;

// ECDSA over a digest KMS was given (DIGEST) or computed (RAW): node:crypto always hashes its input, so the
// digest-level ECDSA is @noble/curves' (prehash off), hedged like KMS's (fresh randomness mixed into k).
const CURVES = { prime256v1: p256, secp384r1: p384, secp521r1: p521 } as const;

export function eccSignDigest(spec: EccSpec, key: KeyObject, digest: Uint8Array): Uint8Array {
  const d = new Uint8Array(Buffer.from(key.export({ format: 'jwk' }).d!, 'base64url'));
  return CURVES[spec.curve].sign(digest, d, { prehash: false, format: 'der', extraEntropy: true });
}

export function eccVerifyDigest(spec: EccSpec, key: KeyObject, digest: Uint8Array, signature: Uint8Array): boolean {
  const spki = eccSpki(key);
  const point = spki.subarray(spki.length - spec.pointBytes); // the uncompressed point ends the SPKI
  try {
    // KMS accepts any valid DER signature, high S included
    return CURVES[spec.curve].verify(signature, digest, point, { prehash: false, format: 'der', lowS: false });
  } catch {
    return false; // malformed DER: not a valid signature
  }
}
