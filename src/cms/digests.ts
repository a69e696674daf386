// Message-digest algorithms for the CMS messageDigest attribute, and which ones RFC 9882 §3.3 Table 1
// allows for each ML-DSA parameter set: a digest with λ bits of collision and second-preimage strength
// and at least 2λ bits of output. SHA-512 is allowed for every set (and is the default), SHAKE256 too.
// SHAKE128 and SHAKE256 produce 256 and 512 bits in the CMS (RFC 8702 §3.1); parameters are absent.
// A composite ML-DSA signer has exactly one: its pre-hash PH (draft-ietf-lamps-cms-composite-sigs §3.4).
import { createHash } from 'node:crypto';
import { PqsignError, opt } from '../base/errors.js';
import type { CompositeAlg } from '../composite/params.js';
import type { ParamName, ParamSet } from '../mldsa/params.js';
import { shake256 } from '../mldsa/shake.js';

export type DigestName = 'sha256' | 'sha384' | 'sha512' | 'sha3-256' | 'sha3-384' | 'sha3-512' | 'shake128' | 'shake256';

export interface Digest {
  update(data: Uint8Array): void;
  digest(): Uint8Array;
}

export interface DigestAlgorithm {
  readonly name: DigestName;
  /** dotted OID (RFC 5754 for SHA-2, RFC 8702 for SHAKE, NIST CSOR for SHA-3) */
  readonly oid: string;
  /** digest output in bytes */
  readonly bytes: number;
  /** RFC 5754 §2: SHA-2 identifiers may arrive with NULL parameters; every other one has them absent */
  readonly nullParamsAccepted: boolean;
  create(): Digest;
}

const node = (name: string, outputLength?: number) => (): Digest => {
  const h = createHash(name, outputLength === undefined ? undefined : { outputLength });
  return { update: (d) => void h.update(d), digest: () => new Uint8Array(h.digest()) };
};

const nist = (n: number) => `2.16.840.1.101.3.4.2.${n}`;

export const DIGESTS: readonly DigestAlgorithm[] = [
  { name: 'sha256', oid: nist(1), bytes: 32, nullParamsAccepted: true, create: node('sha256') },
  { name: 'sha384', oid: nist(2), bytes: 48, nullParamsAccepted: true, create: node('sha384') },
  { name: 'sha512', oid: nist(3), bytes: 64, nullParamsAccepted: true, create: node('sha512') },
  { name: 'sha3-256', oid: nist(8), bytes: 32, nullParamsAccepted: false, create: node('sha3-256') },
  { name: 'sha3-384', oid: nist(9), bytes: 48, nullParamsAccepted: false, create: node('sha3-384') },
  { name: 'sha3-512', oid: nist(10), bytes: 64, nullParamsAccepted: false, create: node('sha3-512') },
  { name: 'shake128', oid: nist(11), bytes: 32, nullParamsAccepted: false, create: node('shake128', 32) },
  {
    name: 'shake256',
    oid: nist(12),
    bytes: 64,
    nullParamsAccepted: false,
    create: () => {
      const x = shake256(64);
      return { update: (d) => void x.update(d), digest: () => x.digest() };
    },
  },
];

/** RFC 9882 §3.3 Table 1: suitable digest algorithms per parameter set. */
const ALLOWED: Record<ParamName, readonly DigestName[]> = {
  'ML-DSA-44': ['sha256', 'sha384', 'sha512', 'sha3-256', 'sha3-384', 'sha3-512', 'shake128', 'shake256'],
  'ML-DSA-65': ['sha384', 'sha512', 'sha3-384', 'sha3-512', 'shake256'],
  'ML-DSA-87': ['sha512', 'sha3-512', 'shake256'],
};

/** RFC 9882 §3.3: SHA-512 MUST be supported for every parameter set. */
export const DEFAULT_DIGEST: DigestName = 'sha512';

export const digestByName = (name: string): DigestAlgorithm | undefined => DIGESTS.find((d) => d.name === name.toLowerCase());
export const digestByOid = (oid: string): DigestAlgorithm | undefined => DIGESTS.find((d) => d.oid === oid);
export const allowedDigests = (params: ParamSet): readonly DigestName[] => ALLOWED[params.name];
export const digestAllowed = (params: ParamSet, digest: DigestAlgorithm): boolean => ALLOWED[params.name].includes(digest.name);

/** draft-ietf-lamps-cms-composite-sigs §3.4 Table 1: the digestAlgorithm MUST be the composite's pre-hash. */
export const compositeDigest = (alg: CompositeAlg): DigestAlgorithm => digestByName(alg.prehash)!;

/**
 * The digest a signer asked for, refused unless RFC 9882 Table 1 allows it for the key's parameter set; a
 * composite signer's is its pre-hash, whatever else was asked for is refused.
 */
export function signingDigest(params: ParamSet, name: string | undefined, composite?: CompositeAlg): DigestAlgorithm {
  if (composite) {
    const d = compositeDigest(composite);
    if (name !== undefined && digestByName(name) !== d) {
      throw new PqsignError(
        'ERR_USAGE',
        `${opt('digest')} ${name} does not suit ${composite.name}: its CMS digest is its pre-hash ${d.name} (draft-ietf-lamps-cms-composite-sigs §3.4)`,
        { option: 'digest' },
      );
    }
    return d;
  }
  const d = digestByName(name ?? DEFAULT_DIGEST);
  if (!d) throw new PqsignError('ERR_USAGE', `unknown ${opt('digest')} "${name}" (known: ${DIGESTS.map((x) => x.name).join(', ')})`);
  if (!digestAllowed(params, d)) {
    throw new PqsignError(
      'ERR_USAGE',
      `${opt('digest')} ${d.name} is too weak for ${params.name}; RFC 9882 allows ${allowedDigests(params).join(', ')}`,
      { option: 'digest' },
    );
  }
  return d;
}
