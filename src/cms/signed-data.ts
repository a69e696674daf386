// SignedData encoding (RFC 5652 §5) wrapped in a ContentInfo (§3). Attached mode is laid out as
// prefix ‖ content ‖ suffix with every enclosing definite length computed from the content's size, so the
// artifact is written verbatim into the output as it streams and never held in memory; the SignerInfo is in
// the suffix, so the prefix depends on the signature's length only (see SignedDataBuilder.attachedOffset).
import { TAG, derUint, encodeLength, oid, tlv } from '../asn1/der.js';
import { retag } from '../asn1/implicit.js';
import { derSetOf } from '../asn1/set-of.js';
import { concatBytes, concatList } from '../base/bytes.js';
import { digestAlgorithmId, signerAlgorithmId, type SignerAlgorithm } from './algorithm-ids.js';
import type { DigestAlgorithm } from './digests.js';
import { OID } from './oids.js';

export type SignerIdentifier =
  { kind: 'issuerAndSerialNumber'; issuerDer: Uint8Array; serial: Uint8Array } | { kind: 'subjectKeyIdentifier'; keyId: Uint8Array };

const SID_SKI_TAG = 0x80; // subjectKeyIdentifier [0] IMPLICIT OCTET STRING
const SIGNED_ATTRS_TAG = 0xa0; // signedAttrs [0] IMPLICIT SET OF
const CERTIFICATES_TAG = 0xa0; // certificates [0] IMPLICIT CertificateSet

/** RFC 5652 §5.3: version 1 with issuerAndSerialNumber, 3 with subjectKeyIdentifier. */
const signerInfoVersion = (sid: SignerIdentifier) => (sid.kind === 'issuerAndSerialNumber' ? 1 : 3);

/** `unsignedAttributes`: the whole unsignedAttrs [1] (time-stamp tokens), or empty. */
export function encodeSignerInfo(
  sid: SignerIdentifier,
  digest: DigestAlgorithm,
  signedAttributes: Uint8Array,
  alg: SignerAlgorithm,
  signature: Uint8Array,
  unsignedAttributes: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const sidDer =
    sid.kind === 'issuerAndSerialNumber' ? tlv(TAG.SEQUENCE, sid.issuerDer, tlv(TAG.INTEGER, sid.serial)) : tlv(SID_SKI_TAG, sid.keyId);
  return tlv(
    TAG.SEQUENCE,
    derUint(signerInfoVersion(sid)),
    sidDer,
    digestAlgorithmId(digest),
    retag(signedAttributes, SIGNED_ATTRS_TAG),
    signerAlgorithmId(alg),
    tlv(TAG.OCTET_STRING, signature),
    unsignedAttributes,
  );
}

export interface SignedDataParts {
  digest: DigestAlgorithm;
  sid: SignerIdentifier;
  /** DER certificates to embed (signer's first) */
  certificates: Uint8Array[];
  signerInfo: Uint8Array;
}

const header = (tag: number, length: number) => concatBytes(Uint8Array.of(tag), encodeLength(length));

/**
 * The ContentInfo around one SignerInfo. With `contentSize`, the content is encapsulated as eContent and
 * must be written between prefix and suffix; without, it is detached (eContent absent) and suffix is empty.
 */
export function signedDataLayout(parts: SignedDataParts, contentSize?: number): { prefix: Uint8Array; suffix: Uint8Array } {
  // RFC 5652 §5.1: version 3 when any SignerInfo is version 3, else 1 (id-data content, X.509 certificates only).
  const version = derUint(signerInfoVersion(parts.sid) === 3 ? 3 : 1);
  const digestAlgorithms = derSetOf([digestAlgorithmId(parts.digest)]);
  const certificates = parts.certificates.length ? tlv(CERTIFICATES_TAG, concatList(parts.certificates)) : new Uint8Array(0);
  const signerInfos = derSetOf([parts.signerInfo]);
  const eContentType = oid(OID.data);

  let encapHead: Uint8Array;
  let encapLength: number;
  if (contentSize === undefined) {
    encapHead = tlv(TAG.SEQUENCE, eContentType);
    encapLength = encapHead.length;
  } else {
    // eContent [0] EXPLICIT OCTET STRING: a primitive OCTET STRING, definite length, the artifact's bytes
    const octetHead = header(TAG.OCTET_STRING, contentSize);
    const explicitHead = header(TAG.CTX0_CONS, octetHead.length + contentSize);
    const encapContent = eContentType.length + explicitHead.length + octetHead.length + contentSize;
    encapHead = concatBytes(header(TAG.SEQUENCE, encapContent), eContentType, explicitHead, octetHead);
    encapLength = encapHead.length + contentSize;
  }
  const signedDataLength = version.length + digestAlgorithms.length + encapLength + certificates.length + signerInfos.length;
  const signedDataHead = header(TAG.SEQUENCE, signedDataLength);
  const explicitSignedData = header(TAG.CTX0_CONS, signedDataHead.length + signedDataLength);
  const contentType = oid(OID.signedData);
  const contentInfoLength = contentType.length + explicitSignedData.length + signedDataHead.length + signedDataLength;
  const prefix = concatBytes(
    header(TAG.SEQUENCE, contentInfoLength),
    contentType,
    explicitSignedData,
    signedDataHead,
    version,
    digestAlgorithms,
    encapHead,
  );
  const suffix = concatBytes(certificates, signerInfos);
  return contentSize === undefined ? { prefix: concatBytes(prefix, suffix), suffix: new Uint8Array(0) } : { prefix, suffix };
}
