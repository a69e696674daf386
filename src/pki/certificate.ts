// An X.509 certificate as pqsign's path validation and `cert show` need it, parsed with pkijs: exact DER of
// the TBS, names and serial (signatures and name chaining compare bytes), validity, the ML-DSA key, and the
// extensions RFC 5280 path validation looks at.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { PqsignError, isPqsignError, type ErrorCode } from '../base/errors.js';
import { toHex } from '../base/bytes.js';
import { parseSpki, type PublicKey } from '../keys/spki.js';
import { formatName } from './name.js';
import { EXT, KEY_USAGE_BITS, PROCESSED_EXTENSIONS, type KeyUsageName } from './oids.js';

export interface AlgorithmId {
  oid: string;
  /** the AlgorithmIdentifier's DER (exact bytes) */
  der: Uint8Array;
  paramsAbsent: boolean;
}

export interface SubjectAltName {
  type: 'email' | 'dns' | 'uri';
  value: string;
}

/** GeneralName CHOICE tags (RFC 5280 §4.2.1.6) of the IA5String forms. */
const SAN_TYPES: Record<number, SubjectAltName['type']> = { 1: 'email', 2: 'dns', 6: 'uri' };

export interface ParsedCertificate {
  der: Uint8Array;
  /** the exact tbsCertificate bytes the issuer signed */
  tbs: Uint8Array;
  version: number;
  /** INTEGER value octets */
  serial: Uint8Array;
  issuerDer: Uint8Array;
  subjectDer: Uint8Array;
  issuer: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
  /** the SubjectPublicKeyInfo DER */
  spki: Uint8Array;
  spkiAlgorithm: string;
  /** the ML-DSA key, when the certificate holds one */
  publicKey: PublicKey | undefined;
  /** the composite ML-DSA key, when the certificate holds one; kept apart from publicKey so ML-DSA-only
   * callers (CMS, UEFI, time-stamping) keep refusing it, while path validation checks signatures with it */
  compositeKey: PublicKey | undefined;
  /** outer signatureAlgorithm */
  signatureAlgorithm: AlgorithmId;
  /** tbsCertificate.signature equals signatureAlgorithm (RFC 5280 §4.1.1.2) */
  signatureFieldsMatch: boolean;
  signature: Uint8Array;
  basicConstraints: { ca: boolean; pathLen: number | undefined; critical: boolean } | undefined;
  keyUsage: { usages: Set<KeyUsageName>; critical: boolean } | undefined;
  extKeyUsage: { purposes: string[]; critical: boolean } | undefined;
  subjectKeyId: Uint8Array | undefined;
  authorityKeyId: Uint8Array | undefined;
  /** subjectAltName entries pqsign matches identities on (RFC 5280 §4.2.1.6); other name forms are left out */
  subjectAltNames: SubjectAltName[];
  /** critical extensions pqsign does not process */
  unprocessedCritical: string[];
}

/** @internal (asn1js types stay out of the public declarations) */
export function algorithmId(block: asn1js.AsnType, what: string, code: ErrorCode): AlgorithmId {
  if (!(block instanceof asn1js.Sequence)) throw new PqsignError(code, `${what} is not an AlgorithmIdentifier`);
  const [oid, params, ...rest] = block.valueBlock.value;
  if (!(oid instanceof asn1js.ObjectIdentifier) || rest.length) throw new PqsignError(code, `${what} is not an AlgorithmIdentifier`);
  return { oid: oid.valueBlock.toString(), der: new Uint8Array(block.valueBeforeDecodeView), paramsAbsent: params === undefined };
}

const view = (b: asn1js.AsnType) => new Uint8Array(b.valueBeforeDecodeView);

export function parseCertificate(der: Uint8Array, label: string, code: ErrorCode = 'ERR_KEY_FORMAT'): ParsedCertificate {
  const bad = (why: string) => new PqsignError(code, `${label}: ${why}`);
  const asn = asn1js.fromBER(der);
  if (asn.offset === -1) throw bad('not a DER certificate');
  if (asn.offset !== der.length) throw bad(`${der.length - asn.offset} bytes after the certificate`);
  let cert: pkijs.Certificate;
  try {
    cert = new pkijs.Certificate({ schema: asn.result });
  } catch (e) {
    throw bad(`not an X.509 certificate (${e instanceof Error ? e.message : String(e)})`);
  }
  const top = (asn.result as asn1js.Sequence).valueBlock.value;
  const tbsBlock = top[0] as asn1js.Sequence;
  const fields = tbsBlock.valueBlock.value;
  const i = fields[0]?.idBlock.tagClass === 3 && fields[0].idBlock.tagNumber === 0 ? 1 : 0;
  const [serialB, sigB, issuerB, , subjectB, spkiB] = fields.slice(i);
  if (!serialB || !sigB || !issuerB || !subjectB || !spkiB) throw bad('truncated tbsCertificate');

  const spki = view(spkiB);
  let publicKey: PublicKey | undefined;
  let compositeKey: PublicKey | undefined;
  try {
    const key = parseSpki(spki, { composite: true });
    if (key.composite) compositeKey = key;
    else publicKey = key;
  } catch (e) {
    if (!isPqsignError(e) || e.code !== 'ERR_ALGORITHM') throw bad(`subjectPublicKeyInfo: ${isPqsignError(e) ? e.message : String(e)}`);
  }
  // signatures are whole octets: a non-zero unused-bits octet is a changed (and still "verifying") certificate
  if (cert.signatureValue.valueBlock.unusedBits !== 0) throw bad('signatureValue BIT STRING has unused bits');
  const signatureAlgorithm = algorithmId(top[1]!, 'signatureAlgorithm', code);
  const tbsSignature = algorithmId(sigB, 'tbsCertificate.signature', code);

  const parsed: ParsedCertificate = {
    der: Uint8Array.from(der),
    tbs: view(tbsBlock),
    version: cert.version + 1,
    serial: new Uint8Array(cert.serialNumber.valueBlock.valueHexView),
    issuerDer: view(issuerB),
    subjectDer: view(subjectB),
    issuer: formatName(view(issuerB)),
    subject: formatName(view(subjectB)),
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    spki,
    spkiAlgorithm: cert.subjectPublicKeyInfo.algorithm.algorithmId,
    publicKey,
    compositeKey,
    signatureAlgorithm,
    signatureFieldsMatch: toHex(signatureAlgorithm.der) === toHex(tbsSignature.der),
    signature: new Uint8Array(cert.signatureValue.valueBlock.valueHexView),
    basicConstraints: undefined,
    keyUsage: undefined,
    extKeyUsage: undefined,
    subjectKeyId: undefined,
    authorityKeyId: undefined,
    subjectAltNames: [],
    unprocessedCritical: [],
  };
  const seen = new Set<string>();
  for (const ext of cert.extensions ?? []) {
    // RFC 5280 §4.2: a certificate MUST NOT include more than one instance of an extension.
    if (seen.has(ext.extnID)) throw bad(`extension ${ext.extnID} appears twice`);
    seen.add(ext.extnID);
    readExtension(parsed, ext, bad);
  }
  return parsed;
}

function readExtension(c: ParsedCertificate, ext: pkijs.Extension, bad: (why: string) => PqsignError): void {
  const critical = ext.critical;
  const value = ext.parsedValue as unknown;
  const broken = (what: string) => bad(`malformed ${what} extension`);
  if ((value as { parsingError?: string } | undefined)?.parsingError) throw broken(ext.extnID);
  switch (ext.extnID) {
    case EXT.basicConstraints: {
      if (!(value instanceof pkijs.BasicConstraints)) throw broken('basicConstraints');
      const pl = value.pathLenConstraint;
      if (pl !== undefined && typeof pl !== 'number') throw broken('basicConstraints pathLenConstraint');
      c.basicConstraints = { ca: value.cA, pathLen: pl, critical };
      break;
    }
    case EXT.keyUsage: {
      if (!(value instanceof asn1js.BitString)) throw broken('keyUsage');
      const bits = value.valueBlock.valueHexView;
      const usages = new Set<KeyUsageName>();
      KEY_USAGE_BITS.forEach((name, bit) => {
        if ((bits[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) usages.add(name);
      });
      c.keyUsage = { usages, critical };
      break;
    }
    case EXT.extKeyUsage:
      if (!(value instanceof pkijs.ExtKeyUsage)) throw broken('extKeyUsage');
      c.extKeyUsage = { purposes: value.keyPurposes, critical };
      break;
    case EXT.subjectKeyIdentifier:
      if (!(value instanceof asn1js.OctetString)) throw broken('subjectKeyIdentifier');
      c.subjectKeyId = new Uint8Array(value.valueBlock.valueHexView);
      break;
    case EXT.subjectAltName: {
      if (!(value instanceof pkijs.AltName)) throw broken('subjectAltName');
      for (const n of value.altNames) {
        const type = SAN_TYPES[n.type];
        if (type && typeof n.value === 'string') c.subjectAltNames.push({ type, value: n.value });
      }
      break;
    }
    case EXT.authorityKeyIdentifier:
      if (!(value instanceof pkijs.AuthorityKeyIdentifier)) throw broken('authorityKeyIdentifier');
      if (value.keyIdentifier) c.authorityKeyId = new Uint8Array(value.keyIdentifier.valueBlock.valueHexView);
      break;
    default:
      break;
  }
  if (critical && !PROCESSED_EXTENSIONS.includes(ext.extnID)) c.unprocessedCritical.push(ext.extnID);
}
