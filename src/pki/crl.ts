// X.509 v2 CRLs (RFC 5280 §5) as pqsign reads them, parsed with pkijs: the exact TBSCertList bytes the
// issuer signed, issuer, thisUpdate/nextUpdate, CRL number, authority key identifier and the revoked
// entries (serial, revocationDate, reasonCode). A CRL pqsign cannot interpret completely — a delta CRL, an
// issuing distribution point (a partitioned scope), an indirect entry (certificateIssuer), any other
// critical extension — is marked `unsupported` and never used to call a certificate good (RFC 5280 §6.3.3).
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { decodePem, looksLikePem } from '../asn1/pem.js';
import { toHex } from '../base/bytes.js';
import { PqsignError, isPqsignError, type ErrorCode } from '../base/errors.js';
import { readSmallFile } from '../io/read.js';
import { algorithmId, type AlgorithmId } from './certificate.js';
import { formatName } from './name.js';
import { CRL_EXT } from './oids.js';

/** CRLReason (RFC 5280 §5.3.1), by code; 7 is unused. */
export const REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  undefined,
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
] as const;
export type ReasonName = NonNullable<(typeof REASONS)[number]>;

export interface RevokedEntry {
  /** INTEGER value octets */
  serial: Uint8Array;
  revocationDate: Date;
  /** absent when the entry has no reasonCode extension */
  reason: ReasonName | undefined;
}

export interface ParsedCrl {
  der: Uint8Array;
  /** the exact TBSCertList bytes the issuer signed */
  tbs: Uint8Array;
  issuerDer: Uint8Array;
  issuer: string;
  thisUpdate: Date;
  nextUpdate: Date | undefined;
  number: bigint | undefined;
  authorityKeyId: Uint8Array | undefined;
  signatureAlgorithm: AlgorithmId;
  /** tbsCertList.signature equals signatureAlgorithm (RFC 5280 §5.1.1.2) */
  signatureFieldsMatch: boolean;
  signature: Uint8Array;
  entries: RevokedEntry[];
  /** why this CRL cannot decide revocation, when pqsign cannot interpret it completely */
  unsupported: string | undefined;
}

const view = (b: asn1js.AsnType) => new Uint8Array(b.valueBeforeDecodeView);

export function parseCrl(der: Uint8Array, label: string, code: ErrorCode = 'ERR_KEY_FORMAT'): ParsedCrl {
  const bad = (why: string) => new PqsignError(code, `${label}: ${why}`);
  const asn = asn1js.fromBER(der);
  if (asn.offset === -1 || asn.offset !== der.length) throw bad('not a DER CRL');
  let crl: pkijs.CertificateRevocationList;
  try {
    crl = new pkijs.CertificateRevocationList({ schema: asn.result });
  } catch (e) {
    throw bad(`not an X.509 CRL (${e instanceof Error ? e.message : String(e)})`);
  }
  const top = (asn.result as asn1js.Sequence).valueBlock.value;
  const tbsB = top[0] as asn1js.Sequence;
  const fields = tbsB.valueBlock.value;
  const i = fields[0] instanceof asn1js.Integer ? 1 : 0;
  if (i === 0 || crl.version !== 1) throw bad('is not a version 2 CRL (RFC 5280 §5.1.2.1)');
  const [sigB, issuerB] = fields.slice(i);
  if (!sigB || !issuerB) throw bad('truncated tbsCertList');
  if (crl.signatureValue.valueBlock.unusedBits !== 0) throw bad('signatureValue BIT STRING has unused bits');
  const signatureAlgorithm = algorithmId(top[1]!, 'signatureAlgorithm', code);
  const tbsSignature = algorithmId(sigB, 'tbsCertList.signature', code);

  const out: ParsedCrl = {
    der: Uint8Array.from(der),
    tbs: view(tbsB),
    issuerDer: view(issuerB),
    issuer: formatName(view(issuerB)),
    thisUpdate: crl.thisUpdate.value,
    nextUpdate: crl.nextUpdate?.value,
    number: undefined,
    authorityKeyId: undefined,
    signatureAlgorithm,
    signatureFieldsMatch: toHex(signatureAlgorithm.der) === toHex(tbsSignature.der),
    signature: new Uint8Array(crl.signatureValue.valueBlock.valueHexView),
    entries: [],
    unsupported: undefined,
  };
  const unsupported = (why: string) => void (out.unsupported ??= why);
  const seen = new Set<string>();
  for (const ext of crl.crlExtensions?.extensions ?? []) {
    if (seen.has(ext.extnID)) throw bad(`CRL extension ${ext.extnID} appears twice`);
    seen.add(ext.extnID);
    const value = ext.parsedValue as unknown;
    switch (ext.extnID) {
      case CRL_EXT.cRLNumber:
        if (!(value instanceof asn1js.Integer)) throw bad('malformed cRLNumber extension');
        out.number = BigInt(`0x${toHex(new Uint8Array(value.valueBlock.valueHexView)) || '0'}`);
        break;
      case CRL_EXT.authorityKeyIdentifier:
        if (!(value instanceof pkijs.AuthorityKeyIdentifier)) throw bad('malformed authorityKeyIdentifier extension');
        if (value.keyIdentifier) out.authorityKeyId = new Uint8Array(value.keyIdentifier.valueBlock.valueHexView);
        break;
      case CRL_EXT.deltaCRLIndicator:
        unsupported('it is a delta CRL (pqsign uses complete CRLs only)');
        break;
      case CRL_EXT.issuingDistributionPoint:
        unsupported("it has an issuingDistributionPoint (a CRL for part of the issuer's certificates; pqsign uses complete CRLs only)");
        break;
      default:
        if (ext.critical) unsupported(`it has the unsupported critical extension ${ext.extnID}`);
    }
  }
  for (const [n, r] of (crl.revokedCertificates ?? []).entries()) {
    const entry: RevokedEntry = {
      serial: new Uint8Array(r.userCertificate.valueBlock.valueHexView),
      revocationDate: r.revocationDate.value,
      reason: undefined,
    };
    const entrySeen = new Set<string>();
    for (const ext of r.crlEntryExtensions?.extensions ?? []) {
      if (entrySeen.has(ext.extnID)) throw bad(`entry #${n + 1}: extension ${ext.extnID} appears twice`);
      entrySeen.add(ext.extnID);
      if (ext.extnID === CRL_EXT.reasonCode) {
        const v = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView).result;
        const reason = v instanceof asn1js.Enumerated ? REASONS[v.valueBlock.valueDec] : undefined;
        if (!reason) throw bad(`entry #${n + 1}: malformed reasonCode`);
        if (reason === 'removeFromCRL') unsupported('an entry uses removeFromCRL, which only delta CRLs may');
        entry.reason = reason;
      } else if (ext.extnID === CRL_EXT.certificateIssuer) {
        unsupported('it is an indirect CRL (certificateIssuer entries)');
      } else if (ext.critical) {
        unsupported(`entry #${n + 1} has the unsupported critical extension ${ext.extnID}`);
      }
    }
    out.entries.push(entry);
  }
  return out;
}

/** The CRLs in a file: every X509 CRL block of a PEM file, or one DER CRL. */
export async function readCrls(path: string, what = 'CRL'): Promise<ParsedCrl[]> {
  const data = await readSmallFile(path, what, 64 * 1024 * 1024);
  try {
    if (!looksLikePem(data)) return [parseCrl(data, what)];
    const blocks = decodePem(data).filter((b) => b.label === 'X509 CRL');
    if (!blocks.length) throw new PqsignError('ERR_KEY_FORMAT', `no X509 CRL PEM block in this ${what} file`);
    return blocks.map((b, n) => parseCrl(b.der, blocks.length > 1 ? `${what} #${n + 1}` : what));
  } catch (e) {
    throw isPqsignError(e) ? e.withFile(path) : e;
  }
}
