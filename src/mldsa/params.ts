// The one table of ML-DSA parameter sets (FIPS 204 Table 1/2, RFC 9881 OIDs, AWS KMS key specs,
// RFC 9964 COSE/JOSE algorithm identifiers). Everything else looks parameter sets up here.

export type ParamName = 'ML-DSA-44' | 'ML-DSA-65' | 'ML-DSA-87';
export type KmsKeySpec = 'ML_DSA_44' | 'ML_DSA_65' | 'ML_DSA_87';

export interface ParamSet {
  readonly name: ParamName;
  /** dotted OID, RFC 9881 §2 (id-ml-dsa-*) */
  readonly oid: string;
  /** DER of the OID body (no tag/length), for byte comparisons */
  readonly oidDer: Uint8Array;
  readonly publicKeyBytes: number;
  readonly secretKeyBytes: number;
  readonly signatureBytes: number;
  readonly kmsKeySpec: KmsKeySpec;
  /** COSE "alg" value, RFC 9964 */
  readonly coseAlg: number;
  /** JOSE "alg" value, RFC 9964 */
  readonly joseAlg: ParamName;
  /** NIST security category */
  readonly category: 2 | 3 | 5;
}

const oidBody = (last: number) => Uint8Array.of(0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, last);

export const PARAM_SETS: readonly ParamSet[] = [
  {
    name: 'ML-DSA-44',
    oid: '2.16.840.1.101.3.4.3.17',
    oidDer: oidBody(17),
    publicKeyBytes: 1312,
    secretKeyBytes: 2560,
    signatureBytes: 2420,
    kmsKeySpec: 'ML_DSA_44',
    coseAlg: -48,
    joseAlg: 'ML-DSA-44',
    category: 2,
  },
  {
    name: 'ML-DSA-65',
    oid: '2.16.840.1.101.3.4.3.18',
    oidDer: oidBody(18),
    publicKeyBytes: 1952,
    secretKeyBytes: 4032,
    signatureBytes: 3309,
    kmsKeySpec: 'ML_DSA_65',
    coseAlg: -49,
    joseAlg: 'ML-DSA-65',
    category: 3,
  },
  {
    name: 'ML-DSA-87',
    oid: '2.16.840.1.101.3.4.3.19',
    oidDer: oidBody(19),
    publicKeyBytes: 2592,
    secretKeyBytes: 4896,
    signatureBytes: 4627,
    kmsKeySpec: 'ML_DSA_87',
    coseAlg: -50,
    joseAlg: 'ML-DSA-87',
    category: 5,
  },
];

export const DEFAULT_PARAM: ParamSet = PARAM_SETS[1]!;

function find<K extends keyof ParamSet>(key: K, value: ParamSet[K]): ParamSet | undefined {
  return PARAM_SETS.find((p) => p[key] === value);
}

/** Accepts "ML-DSA-65", "ml-dsa-65", "mldsa65", "65", "ML_DSA_65". */
export function paramByName(name: string): ParamSet | undefined {
  const digits = /^(?:ml[-_]?dsa[-_]?)?(44|65|87)$/i.exec(name.trim());
  return digits ? find('name', `ML-DSA-${digits[1]}` as ParamName) : undefined;
}
export const paramByOid = (oid: string) => find('oid', oid);
export const paramByKmsSpec = (spec: string) => PARAM_SETS.find((p) => p.kmsKeySpec === spec);
export const paramByCoseAlg = (alg: number) => find('coseAlg', alg);
export const paramByJoseAlg = (alg: string) => PARAM_SETS.find((p) => p.joseAlg === alg);
export const paramByPublicKeyLength = (n: number) => find('publicKeyBytes', n);
export const paramBySignatureLength = (n: number) => find('signatureBytes', n);
export const paramByOidDer = (body: Uint8Array) =>
  PARAM_SETS.find((p) => p.oidDer.length === body.length && p.oidDer.every((b, i) => b === body[i]));

/** FIPS 204 §5.2: the context string is at most 255 bytes. */
export const MAX_CONTEXT_BYTES = 255;
/** FIPS 204 §7.2: μ and tr are 64 bytes. */
export const MU_BYTES = 64;
export const SEED_BYTES = 32;
