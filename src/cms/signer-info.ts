// One SignerInfo (RFC 5652 §5.3) parsed with pkijs, with the exact bytes verification needs: the signed
// attributes as signed (SET OF tag), and the digest and signature AlgorithmIdentifiers as encoded.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { PqsignError } from '../errors.js';
import { algorithmId, type AlgorithmId } from '../pki/certificate.js';
import { readSignedAttributes, type ReceivedSignedAttributes } from './signed-attributes.js';
import type { SignerIdentifier } from './signed-data.js';

export interface ReceivedSignerInfo {
  version: number;
  sid: SignerIdentifier;
  digestAlgorithm: AlgorithmId;
  /** DER(SignedAttributes) with the SET OF tag, as signed; undefined when signedAttrs is absent */
  signedAttributesDer: Uint8Array | undefined;
  signedAttributes: ReceivedSignedAttributes | undefined;
  signatureAlgorithm: AlgorithmId;
  signature: Uint8Array;
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
    const n = (ctx(f, 0) || ctx(f, 1)) && Array.isArray((f as asn1js.Constructed).valueBlock.value) ? (f as asn1js.Constructed).valueBlock.value.length : 0;
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

  let sid: SignerIdentifier;
  if (si.sid instanceof pkijs.IssuerAndSerialNumber) {
    const [issuerB] = (fields[1] as asn1js.Sequence).valueBlock.value;
    sid = { kind: 'issuerAndSerialNumber', issuerDer: new Uint8Array(issuerB!.valueBeforeDecodeView), serial: new Uint8Array(si.sid.serialNumber.valueBlock.valueHexView) };
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
  };
}
