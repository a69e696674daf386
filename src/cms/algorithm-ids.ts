// AlgorithmIdentifier DER for what pqsign writes: digests, ML-DSA and composite ML-DSA, parameters absent
// (RFC 9882 §3.3, RFC 9881 §2, RFC 8702 §3.1, draft-ietf-lamps-cms-composite-sigs §2).
import { TAG, oid, tlv } from '../asn1/der.js';
import { signatureAlgorithmId } from '../mldsa/asn1.js';
import type { CompositeAlg } from '../composite/params.js';
import type { ParamSet } from '../mldsa/params.js';
import type { DigestAlgorithm } from './digests.js';

/** What a SignerInfo is signed with: an ML-DSA parameter set or a composite ML-DSA algorithm. */
export type SignerAlgorithm = ParamSet | CompositeAlg;

export const digestAlgorithmId = (d: DigestAlgorithm): Uint8Array => tlv(TAG.SEQUENCE, oid(d.oid));

/** The signatureAlgorithm of either kind: its OID alone, parameters absent. */
export const signerAlgorithmId: (a: SignerAlgorithm) => Uint8Array = signatureAlgorithmId;
