// CMSAlgorithmProtection (RFC 6211): a signed attribute repeating the SignerInfo's digest and signature
// algorithms, so neither can be swapped without breaking the signature.
//   CMSAlgorithmProtection ::= SEQUENCE {
//     digestAlgorithm         DigestAlgorithmIdentifier,
//     signatureAlgorithm  [1] SignatureAlgorithmIdentifier OPTIONAL,
//     macAlgorithm        [2] MessageAuthenticationCodeAlgorithm OPTIONAL }   -- IMPLICIT TAGS
import * as asn1js from 'asn1js';
import { TAG, tlv } from '../asn1/der.js';
import { equalBytes } from '../base/bytes.js';
import { retag } from '../asn1/implicit.js';
import { digestAlgorithmId, signerAlgorithmId, type SignerAlgorithm } from './algorithm-ids.js';
import type { DigestAlgorithm } from './digests.js';

const SIGNATURE_ALGORITHM_TAG = 0xa1; // [1] IMPLICIT, constructed

export function encodeAlgorithmProtection(digest: DigestAlgorithm, alg: SignerAlgorithm): Uint8Array {
  return tlv(TAG.SEQUENCE, digestAlgorithmId(digest), retag(signerAlgorithmId(alg), SIGNATURE_ALGORITHM_TAG));
}

/**
 * RFC 6211 §3: the attribute's algorithms must be the SignerInfo's. Compared byte for byte with the
 * SignerInfo's AlgorithmIdentifier encodings. Returns the problem, or undefined when they agree.
 */
export function algorithmProtectionProblem(
  value: asn1js.AsnType,
  signerDigestAlg: Uint8Array,
  signerSignatureAlg: Uint8Array,
): string | undefined {
  if (!(value instanceof asn1js.Sequence)) return 'CMSAlgorithmProtection is not a SEQUENCE';
  const [digest, second, ...rest] = value.valueBlock.value;
  if (!digest || !second || rest.length) return 'CMSAlgorithmProtection must hold a digest and a signature algorithm';
  if (second.idBlock.tagClass !== 3 || second.idBlock.tagNumber !== 1)
    return 'CMSAlgorithmProtection has no signatureAlgorithm [1] (a MAC algorithm is not valid for a signature)';
  if (!equalBytes(new Uint8Array(digest.valueBeforeDecodeView), signerDigestAlg)) {
    return 'CMSAlgorithmProtection digestAlgorithm disagrees with the SignerInfo (RFC 6211 §3)';
  }
  // [1] IMPLICIT AlgorithmIdentifier: the SignerInfo's SEQUENCE with the tag replaced
  if (!equalBytes(new Uint8Array(second.valueBeforeDecodeView), retag(signerSignatureAlg, SIGNATURE_ALGORITHM_TAG))) {
    return 'CMSAlgorithmProtection signatureAlgorithm disagrees with the SignerInfo (RFC 6211 §3)';
  }
  return undefined;
}
