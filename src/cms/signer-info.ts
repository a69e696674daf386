// One SignerInfo (RFC 5652 §5.3) parsed with pkijs, with the exact bytes verification needs: the signed
// attributes as signed (SET OF tag), the digest and signature AlgorithmIdentifiers as encoded, and the
// time-stamp tokens among the unsigned attributes (RFC 3161 Appendix A).
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { equalBytes } from '../base/bytes.js';
import { PqsignError } from '../base/errors.js';
import { algorithmId, type AlgorithmId, type ParsedCertificate } from '../pki/certificate.js';
import { keyIdentifier } from '../pki/key-id.js';
import { readSignedAttributes, type ReceivedSignedAttributes } from './signed-attributes.js';
import type { SignerIdentifier } from './signed-data.js';
import { OID } from './oids.js';

export interface ReceivedSignerInfo {
  version: number;
  sid: SignerIdentifier;
  digestAlgorithm: AlgorithmId;
  /** DER(SignedAttributes) with the SET OF tag, as signed; undefined when signedAttrs is absent */
  signedAttributesDer: Uint8Array | undefined;
  signedAttributes: ReceivedSignedAttributes | undefined;
  signatureAlgorithm: AlgorithmId;
  signature: Uint8Array;
  /** each value of the id-aa-timeStampToken unsigned attribute(s), exact bytes (ContentInfo DER) */
  timeStampTokens: Uint8Array[];
}

/** Signed or unsigned attributes per SignerInfo: far beyond the four pqsign writes and what others add. */
export const MAX_ATTRIBUTES = 64;

export function parseSignerInfo(der: Uint8Array, label: string): ReceivedSignerInfo {
  const bad = (why: string) => new PqsignError('ERR_SIGNATURE_FORMAT', `${label}: ${why}`);
  const asn = asn1js.fromBER(der);
  if (asn.offset === -1) throw bad('not BER');
  const ctx = (b: asn1js.AsnType | undefined, n: number) => b?.idBlock.tagClass === 3 && b.idBlock.tagNumber === n;
  // signedAttrs [0] and unsignedAttrs [1] follow version, sid and digestAlgorithm
  for (const f of ((asn.result as asn1js.Sequence).valueBlock.value ?? []).slice(3)) {
    const n =
      (ctx(f, 0) || ctx(f, 1)) && Array.isArray((f as asn1js.Constructed).valueBlock.value)
        ? (f as asn1js.Constructed).valueBlock.value.length
        : 0;
    if (n > MAX_ATTRIBUTES) throw bad(`has ${n} ${ctx(f, 0) ? 'signed' : 'unsigned'} attributes; at most ${MAX_ATTRIBUTES} are accepted`);
  }
  let si: pkijs.SignerInfo;
  try {
    si = new pkijs.SignerInfo({ schema: asn.result });
  } catch (e) {
    throw bad(`malformed SignerInfo (${e instanceof Error ? e.message : String(e)})`);
  }
  const fields = (asn.result as asn1js.Sequence).valueBlock.value;
  const digestB = fields[2]!;
  const hasAttrs = ctx(fields[3], 0);
  const sigAlgB = fields[hasAttrs ? 4 : 3]!;
  const unsignedB = fields[hasAttrs ? 6 : 5];

  let sid: SignerIdentifier;
  if (si.sid instanceof pkijs.IssuerAndSerialNumber) {
    const [issuerB] = (fields[1] as asn1js.Sequence).valueBlock.value;
    sid = {
      kind: 'issuerAndSerialNumber',
      issuerDer: new Uint8Array(issuerB!.valueBeforeDecodeView),
      serial: new Uint8Array(si.sid.serialNumber.valueBlock.valueHexView),
    };
    if (si.version !== 1) throw bad(`version ${si.version} with issuerAndSerialNumber (RFC 5652 §5.3 requires 1)`);
  } else {
    const b = fields[1]!;
    if (!ctx(b, 0) || b.idBlock.isConstructed) throw bad('signer identifier is neither issuerAndSerialNumber nor subjectKeyIdentifier');
    sid = { kind: 'subjectKeyIdentifier', keyId: new Uint8Array((b as asn1js.Primitive).valueBlock.valueHexView) };
    if (si.version !== 3) throw bad(`version ${si.version} with subjectKeyIdentifier (RFC 5652 §5.3 requires 3)`);
  }

  let signedAttributes: ReceivedSignedAttributes | undefined;
  if (si.signedAttrs) {
    const read = readSignedAttributes(asn1js.fromBER(si.signedAttrs.encodedValue).result);
    if (typeof read === 'string') throw bad(read);
    signedAttributes = read;
  }
  return {
    version: si.version,
    sid,
    digestAlgorithm: algorithmId(digestB, `${label} digestAlgorithm`, 'ERR_SIGNATURE_FORMAT'),
    signedAttributesDer: si.signedAttrs ? new Uint8Array(si.signedAttrs.encodedValue) : undefined,
    signedAttributes,
    signatureAlgorithm: algorithmId(sigAlgB, `${label} signatureAlgorithm`, 'ERR_SIGNATURE_FORMAT'),
    signature: new Uint8Array(si.signature.valueBlock.valueHexView),
    timeStampTokens: ctx(unsignedB, 1) ? timeStampTokens(unsignedB as asn1js.Constructed, bad) : [],
  };
}

/** The values of every id-aa-timeStampToken attribute in unsignedAttrs [1]. */
function timeStampTokens(unsigned: asn1js.Constructed, bad: (why: string) => PqsignError): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const a of unsigned.valueBlock.value) {
    const [typeB, valuesB, ...rest] = (a as asn1js.Sequence).valueBlock?.value ?? [];
    if (!(typeB instanceof asn1js.ObjectIdentifier) || !(valuesB instanceof asn1js.Set) || rest.length)
      throw bad('an unsigned attribute is malformed');
    if (typeB.valueBlock.toString() !== OID.timeStampToken) continue;
    if (!valuesB.valueBlock.value.length) throw bad('the timeStampToken attribute has no value');
    for (const v of valuesB.valueBlock.value) out.push(new Uint8Array(v.valueBeforeDecodeView));
  }
  return out;
}

/** The certificate the SignerInfo's sid names: by issuer and serial, or by subject key identifier. */
export function findSignerCertificate(info: ReceivedSignerInfo, certs: readonly ParsedCertificate[]): ParsedCertificate | undefined {
  const sid = info.sid;
  return certs.find((c) =>
    sid.kind === 'issuerAndSerialNumber'
      ? equalBytes(c.issuerDer, sid.issuerDer) && equalBytes(c.serial, sid.serial)
      : equalBytes(c.subjectKeyId ?? (c.publicKey ? keyIdentifier(c.publicKey.publicKey) : new Uint8Array(0)), sid.keyId),
  );
}
