// The one table of composite ML-DSA algorithms (draft-ietf-lamps-pq-composite-sigs, drafts -14 to -19
// give identical bytes; OIDs 1.3.6.1.5.5.7.6.37-54 registered with IANA), beside the ML-DSA table in
// params.ts. Each row: the ML-DSA parameter set, the traditional part (node:crypto names), the pre-hash
// PH applied to the message, and the Label that separates the algorithms (draft §7, "Labels").
import { oidBody } from '../asn1/der.js';
import { utf8 } from '../base/bytes.js';
import { paramByName, type ParamSet } from '../mldsa/params.js';

export type CompositeName =
  | 'MLDSA44-RSA2048-PSS-SHA256'
  | 'MLDSA44-RSA2048-PKCS15-SHA256'
  | 'MLDSA44-Ed25519-SHA512'
  | 'MLDSA44-ECDSA-P256-SHA256'
  | 'MLDSA65-RSA3072-PSS-SHA512'
  | 'MLDSA65-RSA3072-PKCS15-SHA512'
  | 'MLDSA65-RSA4096-PSS-SHA512'
  | 'MLDSA65-RSA4096-PKCS15-SHA512'
  | 'MLDSA65-ECDSA-P256-SHA512'
  | 'MLDSA65-ECDSA-P384-SHA512'
  | 'MLDSA65-ECDSA-brainpoolP256r1-SHA512'
  | 'MLDSA65-Ed25519-SHA512'
  | 'MLDSA87-ECDSA-P384-SHA512'
  | 'MLDSA87-ECDSA-brainpoolP384r1-SHA512'
  | 'MLDSA87-Ed448-SHAKE256'
  | 'MLDSA87-RSA3072-PSS-SHA512'
  | 'MLDSA87-RSA4096-PSS-SHA512'
  | 'MLDSA87-ECDSA-P521-SHA512';

/** The traditional component, as node:crypto signs it. */
export type Traditional =
  | {
      kind: 'ecdsa';
      curve: 'prime256v1' | 'secp384r1' | 'secp521r1' | 'brainpoolP256r1' | 'brainpoolP384r1';
      curveOid: string;
      hash: 'sha256' | 'sha384' | 'sha512';
      /** uncompressed point 04‖X‖Y */ publicKeyBytes: number;
      /** longest DER Ecdsa-Sig-Value */ maxSignatureBytes: number;
    }
  | { kind: 'ed25519' | 'ed448'; publicKeyBytes: number; maxSignatureBytes: number }
  | { kind: 'rsa-pss' | 'rsa-pkcs15'; bits: 2048 | 3072 | 4096; hash: 'sha256' | 'sha384'; maxSignatureBytes: number };

export interface CompositeAlg {
  /** as the draft names it without "id-", and as Bouncy Castle spells it */
  readonly name: CompositeName;
  readonly oid: string;
  readonly oidDer: Uint8Array;
  readonly mldsa: ParamSet;
  readonly trad: Traditional;
  /** PH: the hash of the message inside M' */
  readonly prehash: 'sha256' | 'sha512' | 'shake256';
  /** Label (ASCII): in M' and the ML-DSA component's FIPS 204 context */
  readonly label: Uint8Array;
  /** the longest composite signature (ML-DSA part ‖ traditional part) */
  readonly maxSignatureBytes: number;
  /** the shortest: an ECDSA part is DER and may be as short as 8 bytes (r and s of one byte); others have one length */
  readonly minSignatureBytes: number;
  /** AWS KMS key spec of the traditional part, where KMS has one (ECDSA over NIST curves) */
  readonly kmsKeySpec?: 'ECC_NIST_P256' | 'ECC_NIST_P384' | 'ECC_NIST_P521';
}

const P256 = {
  kind: 'ecdsa',
  curve: 'prime256v1',
  curveOid: '1.2.840.10045.3.1.7',
  hash: 'sha256',
  publicKeyBytes: 65,
  maxSignatureBytes: 72,
} as const;
const P384 = {
  kind: 'ecdsa',
  curve: 'secp384r1',
  curveOid: '1.3.132.0.34',
  hash: 'sha384',
  publicKeyBytes: 97,
  maxSignatureBytes: 104,
} as const;
const P521 = {
  kind: 'ecdsa',
  curve: 'secp521r1',
  curveOid: '1.3.132.0.35',
  hash: 'sha512',
  publicKeyBytes: 133,
  maxSignatureBytes: 139,
} as const;
const BP256 = {
  kind: 'ecdsa',
  curve: 'brainpoolP256r1',
  curveOid: '1.3.36.3.3.2.8.1.1.7',
  hash: 'sha256',
  publicKeyBytes: 65,
  maxSignatureBytes: 72,
} as const;
const BP384 = {
  kind: 'ecdsa',
  curve: 'brainpoolP384r1',
  curveOid: '1.3.36.3.3.2.8.1.1.11',
  hash: 'sha384',
  publicKeyBytes: 97,
  maxSignatureBytes: 104,
} as const;
const ED25519 = { kind: 'ed25519', publicKeyBytes: 32, maxSignatureBytes: 64 } as const;
const ED448 = { kind: 'ed448', publicKeyBytes: 57, maxSignatureBytes: 114 } as const;
const rsa = (kind: 'rsa-pss' | 'rsa-pkcs15', bits: 2048 | 3072 | 4096): Traditional => ({
  kind,
  bits,
  hash: bits === 4096 ? 'sha384' : 'sha256',
  maxSignatureBytes: bits / 8,
});

// [name, OID arc under 1.3.6.1.5.5.7.6, traditional part, PH, label suffix when it differs from the name]
const ROWS: ReadonlyArray<[CompositeName, number, Traditional, CompositeAlg['prehash'], string?]> = [
  ['MLDSA44-RSA2048-PSS-SHA256', 37, rsa('rsa-pss', 2048), 'sha256'],
  ['MLDSA44-RSA2048-PKCS15-SHA256', 38, rsa('rsa-pkcs15', 2048), 'sha256'],
  ['MLDSA44-Ed25519-SHA512', 39, ED25519, 'sha512'],
  ['MLDSA44-ECDSA-P256-SHA256', 40, P256, 'sha256'],
  ['MLDSA65-RSA3072-PSS-SHA512', 41, rsa('rsa-pss', 3072), 'sha512'],
  ['MLDSA65-RSA3072-PKCS15-SHA512', 42, rsa('rsa-pkcs15', 3072), 'sha512'],
  ['MLDSA65-RSA4096-PSS-SHA512', 43, rsa('rsa-pss', 4096), 'sha512'],
  ['MLDSA65-RSA4096-PKCS15-SHA512', 44, rsa('rsa-pkcs15', 4096), 'sha512'],
  ['MLDSA65-ECDSA-P256-SHA512', 45, P256, 'sha512'],
  ['MLDSA65-ECDSA-P384-SHA512', 46, P384, 'sha512'],
  ['MLDSA65-ECDSA-brainpoolP256r1-SHA512', 47, BP256, 'sha512', 'MLDSA65-ECDSA-BP256-SHA512'],
  ['MLDSA65-Ed25519-SHA512', 48, ED25519, 'sha512'],
  ['MLDSA87-ECDSA-P384-SHA512', 49, P384, 'sha512'],
  ['MLDSA87-ECDSA-brainpoolP384r1-SHA512', 50, BP384, 'sha512', 'MLDSA87-ECDSA-BP384-SHA512'],
  ['MLDSA87-Ed448-SHAKE256', 51, ED448, 'shake256'],
  ['MLDSA87-RSA3072-PSS-SHA512', 52, rsa('rsa-pss', 3072), 'sha512'],
  ['MLDSA87-RSA4096-PSS-SHA512', 53, rsa('rsa-pss', 4096), 'sha512'],
  ['MLDSA87-ECDSA-P521-SHA512', 54, P521, 'sha512'],
];

/** SEQUENCE { INTEGER r, INTEGER s } with one-byte r and s */
const ECDSA_MIN_SIGNATURE_BYTES = 8;

const KMS_SPECS = { prime256v1: 'ECC_NIST_P256', secp384r1: 'ECC_NIST_P384', secp521r1: 'ECC_NIST_P521' } as const;

export const COMPOSITE_ALGS: readonly CompositeAlg[] = ROWS.map(([name, arc, trad, prehash, label]) => {
  const mldsa = paramByName(name.slice(5, 7))!;
  const oid = `1.3.6.1.5.5.7.6.${arc}`;
  const kms = trad.kind === 'ecdsa' ? KMS_SPECS[trad.curve as keyof typeof KMS_SPECS] : undefined;
  return {
    name,
    oid,
    oidDer: oidBody(oid),
    mldsa,
    trad,
    prehash,
    label: utf8(`COMPSIG-${label ?? name}`),
    maxSignatureBytes: mldsa.signatureBytes + trad.maxSignatureBytes,
    minSignatureBytes: mldsa.signatureBytes + (trad.kind === 'ecdsa' ? ECDSA_MIN_SIGNATURE_BYTES : trad.maxSignatureBytes),
    ...(kms ? { kmsKeySpec: kms } : {}),
  };
});

/** The draft's default, and the one `keygen --alg composite` would pick. */
export const DEFAULT_COMPOSITE: CompositeAlg = COMPOSITE_ALGS.find((a) => a.name === 'MLDSA65-ECDSA-P256-SHA512')!;

/** Accepts the name with or without "id-", in any case. */
export function compositeByName(name: string): CompositeAlg | undefined {
  const n = name.trim().replace(/^id-/i, '').toLowerCase();
  return COMPOSITE_ALGS.find((a) => a.name.toLowerCase() === n);
}
export const compositeByOid = (oid: string) => COMPOSITE_ALGS.find((a) => a.oid === oid);
export const compositeByOidDer = (body: Uint8Array) =>
  COMPOSITE_ALGS.find((a) => a.oidDer.length === body.length && a.oidDer.every((b, i) => b === body[i]));
