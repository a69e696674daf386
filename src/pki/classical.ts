// Classical signatures on X.509 and CMS structures, verified with node:crypto: today's public time-stamp
// authorities sign with ECDSA or RSA (RFC 3161 tokens, their certificates), so a TSA path may hold them.
// Code-signing paths stay ML-DSA only (src/pki/path.ts). RSASSA-PKCS1-v1_5 (RFC 4055) with SHA-2, at least
// 2048-bit keys; ECDSA (RFC 5758) on P-256, P-384, P-521 with SHA-2. SHA-1 and RSASSA-PSS are refused.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { AlgorithmId } from './certificate.js';

type Hash = 'sha256' | 'sha384' | 'sha512';

/** signatureAlgorithm OIDs: the key type they need and their hash (undefined: the CMS digestAlgorithm's) */
const ALGORITHMS: Record<string, { kind: 'rsa' | 'ec'; name: string; hash: Hash | undefined; nullParams: boolean }> = {
  '1.2.840.113549.1.1.1': { kind: 'rsa', name: 'rsaEncryption', hash: undefined, nullParams: true },
  '1.2.840.113549.1.1.11': { kind: 'rsa', name: 'sha256WithRSAEncryption', hash: 'sha256', nullParams: true },
  '1.2.840.113549.1.1.12': { kind: 'rsa', name: 'sha384WithRSAEncryption', hash: 'sha384', nullParams: true },
  '1.2.840.113549.1.1.13': { kind: 'rsa', name: 'sha512WithRSAEncryption', hash: 'sha512', nullParams: true },
  '1.2.840.10045.4.3.2': { kind: 'ec', name: 'ecdsa-with-SHA256', hash: 'sha256', nullParams: false },
  '1.2.840.10045.4.3.3': { kind: 'ec', name: 'ecdsa-with-SHA384', hash: 'sha384', nullParams: false },
  '1.2.840.10045.4.3.4': { kind: 'ec', name: 'ecdsa-with-SHA512', hash: 'sha512', nullParams: false },
};

const DIGEST_HASHES: Record<string, Hash> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

const CURVES = ['prime256v1', 'secp384r1', 'secp521r1'];
const MIN_RSA_BITS = 2048;

export const isClassicalAlgorithm = (oid: string): boolean => oid in ALGORITHMS;

/** The name of a classical signature algorithm, for messages (rsaEncryption named by the CMS digest it uses). */
export function classicalAlgorithmName(oid: string, digestOid?: string): string | undefined {
  const a = ALGORITHMS[oid];
  const hash = digestOid ? DIGEST_HASHES[digestOid] : undefined;
  return a && !a.hash && hash ? `${hash}WithRSAEncryption` : a?.name;
}

function publicKey(spki: Uint8Array): KeyObject | string {
  try {
    return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (e) {
    return `the public key does not parse (${e instanceof Error ? e.message : String(e)})`;
  }
}

/**
 * Why `signature` over `data` is not acceptable under the key in `spki`, or undefined when it verifies.
 * `digestOid`: the CMS digestAlgorithm, which names the hash when the signature algorithm does not (rsaEncryption).
 */
export function classicalSignatureProblem(
  data: Uint8Array,
  alg: AlgorithmId,
  signature: Uint8Array,
  spki: Uint8Array,
  digestOid?: string,
): string | undefined {
  const a = ALGORITHMS[alg.oid];
  if (!a) return `signature algorithm ${alg.oid} is not supported (ML-DSA, RSA PKCS#1 v1.5 or ECDSA with SHA-2)`;
  const nullParams = alg.der.length >= 2 && alg.der[alg.der.length - 2] === 0x05 && alg.der[alg.der.length - 1] === 0x00;
  if (!alg.paramsAbsent && !(a.nullParams && nullParams)) return `${a.name} has unexpected parameters`;
  const hash = a.hash ?? (digestOid ? DIGEST_HASHES[digestOid] : undefined);
  if (!hash) return `${a.name} needs a SHA-2 digest algorithm`;
  const key = publicKey(spki);
  if (typeof key === 'string') return key;
  if (key.asymmetricKeyType !== a.kind) return `signed with ${a.name} but the key is ${key.asymmetricKeyType ?? 'of another type'}`;
  const details = key.asymmetricKeyDetails ?? {};
  if (a.kind === 'rsa' && (details.modulusLength ?? 0) < MIN_RSA_BITS)
    return `the RSA key has ${details.modulusLength} bits (at least ${MIN_RSA_BITS} are required)`;
  if (a.kind === 'ec' && !CURVES.includes(details.namedCurve ?? ''))
    return `the EC key is on curve ${details.namedCurve ?? 'unknown'} (P-256, P-384 or P-521 are accepted)`;
  try {
    return verify(hash, data, key, signature) ? undefined : 'signature does not verify with the key';
  } catch (e) {
    return `signature does not verify with the key (${e instanceof Error ? e.message : String(e)})`;
  }
}
