// AlgorithmIdentifier DER for what pqsign writes: digests and ML-DSA, parameters absent (RFC 9882 §3.3,
// RFC 9881 §2, RFC 8702 §3.1).
import { TAG, oid, tlv } from '../asn1/der.js';
import type { ParamSet } from '../mldsa/params.js';
import type { DigestAlgorithm } from './digests.js';

export const digestAlgorithmId = (d: DigestAlgorithm): Uint8Array => tlv(TAG.SEQUENCE, oid(d.oid));
