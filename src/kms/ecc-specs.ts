// The KMS ECC signing key specs pqsign uses (the traditional part of composite signatures): each has
// exactly one ECDSA signing algorithm in KMS, whose hash fixes the DIGEST length. Shared by the KMS
// client (src/kms/trad-signer.ts) and the local server (src/kms-server/ecc.ts).
export const ECC_SPECS = {
  ECC_NIST_P256: { curve: 'prime256v1', algorithm: 'ECDSA_SHA_256', hash: 'sha256', digestBytes: 32, pointBytes: 65 },
  ECC_NIST_P384: { curve: 'secp384r1', algorithm: 'ECDSA_SHA_384', hash: 'sha384', digestBytes: 48, pointBytes: 97 },
  ECC_NIST_P521: { curve: 'secp521r1', algorithm: 'ECDSA_SHA_512', hash: 'sha512', digestBytes: 64, pointBytes: 133 },
} as const;

export type EccKeySpec = keyof typeof ECC_SPECS;
export type EccSpec = (typeof ECC_SPECS)[EccKeySpec];

export const eccSpec = (spec: string): EccSpec | undefined =>
  Object.prototype.hasOwnProperty.call(ECC_SPECS, spec) ? ECC_SPECS[spec as EccKeySpec] : undefined;
