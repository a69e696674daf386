// Signed attributes (RFC 5652 §5.3, §11): contentType, messageDigest, signingTime, and CMSAlgorithmProtection
// (RFC 6211). The ML-DSA (or composite) signature is over their DER with the SET OF tag (RFC 5652 §5.4, RFC 9882 §3.2):
// this small structure is all that goes through μ; the artifact is represented by its digest.
import * as asn1js from 'asn1js';
import { TAG, oid, tlv } from '../asn1/der.js';
import { derSetOf } from '../asn1/set-of.js';
import { encodeTime } from '../asn1/time.js';
import type { SignerAlgorithm } from './algorithm-ids.js';
import { encodeAlgorithmProtection } from './algorithm-protection.js';
import type { DigestAlgorithm } from './digests.js';
import { OID } from './oids.js';

export interface SignedAttributeValues {
  /** eContentType (id-data for pqsign's own signatures) */
  contentType: string;
  messageDigest: Uint8Array;
  /** omitted when undefined */
  signingTime: Date | undefined;
  digest: DigestAlgorithm;
  /** the signature algorithm (ML-DSA parameter set or composite), for CMSAlgorithmProtection */
  params: SignerAlgorithm;
}

/** Attribute ::= SEQUENCE { attrType, attrValues SET OF } with a single value (RFC 5652 §11). */
const attribute = (type: string, value: Uint8Array) => tlv(TAG.SEQUENCE, oid(type), derSetOf([value]));

/** DER of SignedAttributes with the SET OF tag (0x31): the message the ML-DSA signature covers. */
export function encodeSignedAttributes(v: SignedAttributeValues): Uint8Array {
  const attrs = [
    attribute(OID.contentType, oid(v.contentType)),
    attribute(OID.messageDigest, tlv(TAG.OCTET_STRING, v.messageDigest)),
    attribute(OID.algorithmProtection, encodeAlgorithmProtection(v.digest, v.params)),
  ];
  if (v.signingTime) attrs.push(attribute(OID.signingTime, encodeTime(v.signingTime)));
  return derSetOf(attrs);
}

export interface ReceivedSignedAttributes {
  contentType: string | undefined;
  messageDigest: Uint8Array | undefined;
  signingTime: Date | undefined;
  algorithmProtection: asn1js.AsnType | undefined;
  /** ESS signingCertificate (v1, RFC 2634) or signingCertificateV2 (RFC 5035): time-stamp tokens carry one */
  signingCertificate: { v2: boolean; value: asn1js.AsnType } | undefined;
}

/**
 * Read the attributes pqsign checks from a parsed SignedAttributes SET. RFC 5652 §5.3/§11 and RFC 6211 §2:
 * each of these may appear once, with exactly one value. Returns the problem as a string when malformed.
 */
export function readSignedAttributes(set: asn1js.AsnType): ReceivedSignedAttributes | string {
  const out: ReceivedSignedAttributes = {
    contentType: undefined,
    messageDigest: undefined,
    signingTime: undefined,
    algorithmProtection: undefined,
    signingCertificate: undefined,
  };
  const seen = new Set<string>();
  const attrs = (set as asn1js.Constructed).valueBlock?.value;
  if (!Array.isArray(attrs) || attrs.length === 0) return 'signedAttrs is empty';
  for (const a of attrs) {
    const [typeB, valuesB, ...rest] = (a as asn1js.Sequence).valueBlock?.value ?? [];
    if (!(typeB instanceof asn1js.ObjectIdentifier) || !(valuesB instanceof asn1js.Set) || rest.length)
      return 'a signed attribute is malformed';
    const type = typeB.valueBlock.toString();
    const values = valuesB.valueBlock.value;
    const known = [
      OID.contentType,
      OID.messageDigest,
      OID.signingTime,
      OID.algorithmProtection,
      OID.signingCertificate,
      OID.signingCertificateV2,
    ] as string[];
    if (!known.includes(type)) continue;
    if (seen.has(type)) return `signed attribute ${type} appears twice`;
    seen.add(type);
    if (values.length !== 1) return `signed attribute ${type} must have exactly one value`;
    const v = values[0]!;
    switch (type) {
      case OID.contentType:
        if (!(v instanceof asn1js.ObjectIdentifier)) return 'contentType attribute is not an OBJECT IDENTIFIER';
        out.contentType = v.valueBlock.toString();
        break;
      case OID.messageDigest:
        if (!(v instanceof asn1js.OctetString) || v.idBlock.isConstructed) return 'messageDigest attribute is not an OCTET STRING';
        out.messageDigest = new Uint8Array(v.valueBlock.valueHexView);
        break;
      case OID.signingTime:
        if (v instanceof asn1js.UTCTime || v instanceof asn1js.GeneralizedTime) out.signingTime = v.toDate();
        else return 'signingTime attribute is not a Time';
        break;
      case OID.signingCertificate:
      case OID.signingCertificateV2:
        // v2 names the certificate with a stronger hash: it decides when both are present (RFC 5816 §2.2.1)
        if (type === OID.signingCertificateV2 || !out.signingCertificate)
          out.signingCertificate = { v2: type === OID.signingCertificateV2, value: v };
        break;
      default:
        out.algorithmProtection = v;
    }
  }
  return out;
}
