// RFC 3161 time-stamp tokens (with RFC 5816's ESSCertIDv2): a ContentInfo(SignedData) whose content is a
// TSTInfo — the TSA's statement that a hash (the messageImprint) existed at genTime — signed by the TSA.
// readTimeStampToken checks everything a token proves by itself: its structure, the TSTInfo, the signed
// attributes (contentType id-ct-TSTInfo, messageDigest over the TSTInfo, the ESS signingCertificate naming
// the TSA certificate), the TSA's signature (ML-DSA per RFC 9882, or ECDSA/RSA through node:crypto) and the
// TSA certificate's purpose (timeStamping only, critical). Whether the TSA is trusted — a path from its
// certificate to a TSA anchor at genTime — is checkTrustedToken's job.
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { equalBytes, toHex } from '../../base/bytes.js';
import { PqsignError, isPqsignError, opt } from '../../base/errors.js';
import { paramByOid } from '../../mldsa/params.js';
import { algorithmProtectionProblem } from '../algorithm-protection.js';
import { allowedDigests, digestAllowed, digestByOid, type DigestAlgorithm } from '../digests.js';
import { OID } from '../oids.js';
import { findSignerCertificate, parseSignerInfo } from '../signer-info.js';
import { parseCertificate, type ParsedCertificate } from '../../pki/certificate.js';
import { classicalAlgorithmName, classicalSignatureProblem } from '../../pki/classical.js';
import { checkTimeStamping, validatePath } from '../../pki/path.js';
import { mlDsaSignatureProblem } from '../../pki/signature.js';

export interface TstInfo {
  policy: string;
  imprint: { digest: DigestAlgorithm; hash: Uint8Array };
  /** INTEGER value octets */
  serial: Uint8Array;
  genTime: Date;
  /** INTEGER value octets, when the request had a nonce */
  nonce: Uint8Array | undefined;
}

export interface TimeStampToken {
  der: Uint8Array;
  tst: TstInfo;
  /** the TSA's certificate, which the ESS signingCertificate attribute names */
  tsaCert: ParsedCertificate;
  /** every certificate the token carries */
  certificates: ParsedCertificate[];
  /** the TSA's signature algorithm, e.g. ML-DSA-65 or ecdsa-with-SHA256 */
  signatureAlgorithm: string;
}

const SHA1 = '1.3.14.3.2.26';

/** Digests a messageImprint may use: the SHA-2 and SHA-3 families (not SHA-1, not the SHAKEs). */
export const imprintDigest = (oid: string): DigestAlgorithm | undefined => {
  const d = digestByOid(oid);
  return d && !d.name.startsWith('shake') ? d : undefined;
};

export const imprintOf = (digest: DigestAlgorithm, data: Uint8Array): Uint8Array => {
  const h = digest.create();
  h.update(data);
  return h.digest();
};

const view = (b: asn1js.AsnType) => new Uint8Array(b.valueBeforeDecodeView);
const isCtx = (b: asn1js.AsnType | undefined, n: number): b is asn1js.Constructed => b?.idBlock.tagClass === 3 && b.idBlock.tagNumber === n;

/** Parse and check a token (see the file comment); `label` names it in errors. Throws PqsignError. */
export function readTimeStampToken(der: Uint8Array, label: string): TimeStampToken {
  const bad = (why: string) => new PqsignError('ERR_SIGNATURE_FORMAT', `${label}: ${why}`);
  const invalid = (why: string) => new PqsignError('ERR_SIGNATURE_INVALID', `${label}: ${why}`);
  const asn = asn1js.fromBER(der);
  if (asn.offset !== der.length) throw bad('not a DER ContentInfo');
  const [typeB, contentB, ...extra] = (asn.result as asn1js.Sequence).valueBlock?.value ?? [];
  if (
    !(typeB instanceof asn1js.ObjectIdentifier) ||
    typeB.valueBlock.toString() !== OID.signedData ||
    !isCtx(contentB, 0) ||
    extra.length
  ) {
    throw bad('not a ContentInfo holding SignedData');
  }
  const sd = contentB.valueBlock.value[0];
  const fields = sd instanceof asn1js.Sequence ? sd.valueBlock.value : [];
  const encap = fields[2];
  const [eTypeB, eContentB] = encap instanceof asn1js.Sequence ? encap.valueBlock.value : [];
  if (!(eTypeB instanceof asn1js.ObjectIdentifier) || eTypeB.valueBlock.toString() !== OID.tstInfo)
    throw bad('the SignedData does not hold a TSTInfo (id-ct-TSTInfo)');
  const eContent = isCtx(eContentB, 0) ? eContentB.valueBlock.value[0] : undefined;
  if (!(eContent instanceof asn1js.OctetString)) throw bad('the TSTInfo is missing');
  const tstDer = octets(eContent);
  const tst = readTstInfo(tstDer, bad);

  const certs: ParsedCertificate[] = [];
  let i = 3;
  if (isCtx(fields[i], 0)) {
    for (const [j, c] of (fields[i] as asn1js.Constructed).valueBlock.value.entries()) {
      if (c instanceof asn1js.Sequence) certs.push(parseCertificate(view(c), `${label} certificate #${j + 1}`, 'ERR_SIGNATURE_FORMAT'));
    }
    i++;
  }
  if (isCtx(fields[i], 1)) i++;
  const signerInfos = fields[i];
  if (!(signerInfos instanceof asn1js.Set) || i !== fields.length - 1) throw bad('malformed SignedData');
  // RFC 3161 §2.4.1: the token carries the TSA's signature and no other
  if (signerInfos.valueBlock.value.length !== 1)
    throw bad(`has ${signerInfos.valueBlock.value.length} SignerInfos; a time-stamp token has exactly one (RFC 3161 §2.4.1)`);
  const info = parseSignerInfo(view(signerInfos.valueBlock.value[0]!), `${label} SignerInfo`);

  const tsaCert = findSignerCertificate(info, certs);
  if (!tsaCert) throw bad("does not carry the TSA's certificate (the SignerInfo names none of its certificates)");
  const attrs = info.signedAttributes;
  if (!attrs || !info.signedAttributesDer) throw bad("the TSA's SignerInfo has no signed attributes");
  if (attrs.contentType !== OID.tstInfo) throw invalid('the contentType attribute is not id-ct-TSTInfo');
  const digest = digestByOid(info.digestAlgorithm.oid);
  if (!digest) throw bad(`digest algorithm ${info.digestAlgorithm.oid} is not supported`);
  if (!attrs.messageDigest || !equalBytes(imprintOf(digest, tstDer), attrs.messageDigest))
    throw invalid('the messageDigest attribute does not match the TSTInfo: the token was altered');
  checkEssCertId(attrs.signingCertificate, tsaCert, bad, invalid);
  if (attrs.algorithmProtection) {
    const problem = algorithmProtectionProblem(attrs.algorithmProtection, info.digestAlgorithm.der, info.signatureAlgorithm.der);
    if (problem) throw invalid(problem);
  }

  let algorithm: string;
  let problem: string | undefined;
  const params = paramByOid(info.signatureAlgorithm.oid);
  if (params) {
    algorithm = params.name;
    if (!digestAllowed(params, digest))
      throw invalid(`digest ${digest.name} is too weak for ${params.name}; RFC 9882 allows ${allowedDigests(params).join(', ')}`);
    problem = tsaCert.publicKey
      ? mlDsaSignatureProblem(info.signedAttributesDer, info.signatureAlgorithm, info.signature, tsaCert.publicKey)
      : `signed with ${params.name} but the TSA certificate holds a ${tsaCert.spkiAlgorithm} key`;
  } else {
    algorithm = classicalAlgorithmName(info.signatureAlgorithm.oid, info.digestAlgorithm.oid) ?? info.signatureAlgorithm.oid;
    problem = classicalSignatureProblem(
      info.signedAttributesDer,
      info.signatureAlgorithm,
      info.signature,
      tsaCert.spki,
      info.digestAlgorithm.oid,
    );
  }
  if (problem) throw invalid(`the TSA's signature: ${problem}`);
  try {
    checkTimeStamping(tsaCert);
  } catch (e) {
    throw isPqsignError(e) ? new PqsignError(e.code, `${label}: ${e.message}`) : e;
  }
  return { der: Uint8Array.from(der), tst, tsaCert, certificates: certs, signatureAlgorithm: algorithm };
}

/** An OCTET STRING's contents, primitive or (BER) constructed. */
function octets(o: asn1js.OctetString): Uint8Array {
  if (!o.idBlock.isConstructed) return new Uint8Array(o.valueBlock.valueHexView);
  const parts = (o.valueBlock.value as asn1js.OctetString[]).map(octets);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function readTstInfo(der: Uint8Array, bad: (why: string) => PqsignError): TstInfo {
  let t: pkijs.TSTInfo;
  try {
    const asn = asn1js.fromBER(der);
    if (asn.offset !== der.length) throw new Error('not DER');
    t = new pkijs.TSTInfo({ schema: asn.result });
  } catch (e) {
    throw bad(`malformed TSTInfo (${e instanceof Error ? e.message : String(e)})`);
  }
  if (t.version !== 1) throw bad(`TSTInfo version ${t.version} (RFC 3161 §2.4.2 requires 1)`);
  const critical = (t.extensions ?? []).filter((e) => e.critical).map((e) => e.extnID);
  if (critical.length) throw bad(`TSTInfo has unsupported critical extension ${critical.join(', ')}`);
  const hashOid = t.messageImprint.hashAlgorithm.algorithmId;
  const digest = imprintDigest(hashOid);
  if (!digest) throw bad(`messageImprint hash ${hashOid === SHA1 ? 'SHA-1' : hashOid} is not accepted (SHA-2 or SHA-3)`);
  const hash = new Uint8Array(t.messageImprint.hashedMessage.valueBlock.valueHexView);
  if (hash.length !== digest.bytes) throw bad(`messageImprint is ${hash.length} bytes, not a ${digest.name} hash`);
  if (Number.isNaN(t.genTime.getTime())) throw bad('genTime is not a time');
  return {
    policy: t.policy,
    imprint: { digest, hash },
    serial: new Uint8Array(t.serialNumber.valueBlock.valueHexView),
    genTime: t.genTime,
    nonce: t.nonce ? new Uint8Array(t.nonce.valueBlock.valueHexView) : undefined,
  };
}

/**
 * ESS signingCertificate(V2) (RFC 2634 §5.4, RFC 5035, RFC 5816): the first ESSCertID is the TSA's
 * certificate — its hash, and issuer and serial when given — so the certificate cannot be substituted.
 */
function checkEssCertId(
  ess: { v2: boolean; value: asn1js.AsnType } | undefined,
  cert: ParsedCertificate,
  bad: (why: string) => PqsignError,
  invalid: (why: string) => PqsignError,
): void {
  if (!ess) throw bad("has no ESS signingCertificate attribute naming the TSA's certificate (RFC 3161 §2.4.1, RFC 5816)");
  const [certsB] = ess.value instanceof asn1js.Sequence ? ess.value.valueBlock.value : [];
  const first = certsB instanceof asn1js.Sequence ? certsB.valueBlock.value[0] : undefined;
  const parts = first instanceof asn1js.Sequence ? [...first.valueBlock.value] : [];
  let hashOid = ess.v2 ? '2.16.840.1.101.3.4.2.1' : SHA1; // ESSCertIDv2 hashAlgorithm DEFAULT id-sha256
  if (ess.v2 && parts[0] instanceof asn1js.Sequence) {
    const [oidB] = (parts.shift() as asn1js.Sequence).valueBlock.value;
    if (!(oidB instanceof asn1js.ObjectIdentifier)) throw bad('malformed ESSCertIDv2');
    hashOid = oidB.valueBlock.toString();
  }
  const [hashB, issuerSerialB] = parts;
  if (!(hashB instanceof asn1js.OctetString)) throw bad(`malformed ${ess.v2 ? 'ESSCertIDv2' : 'ESSCertID'}`);
  const name = hashOid === SHA1 ? 'sha1' : digestByOid(hashOid)?.name;
  if (!name || name.startsWith('shake')) throw bad(`ESSCertID hash ${hashOid} is not supported`);
  const certHash = new Uint8Array(createHash(name).update(cert.der).digest());
  if (!equalBytes(certHash, new Uint8Array(hashB.valueBlock.valueHexView))) {
    throw invalid(`the signingCertificate attribute names another certificate than "${cert.subject}"`);
  }
  if (issuerSerialB === undefined) return;
  const [namesB, serialB] = issuerSerialB instanceof asn1js.Sequence ? issuerSerialB.valueBlock.value : [];
  if (!(namesB instanceof asn1js.Sequence) || !(serialB instanceof asn1js.Integer)) throw bad('malformed ESS IssuerSerial');
  const names = namesB.valueBlock.value.filter((n) => isCtx(n, 4)).map((n) => view((n as asn1js.Constructed).valueBlock.value[0]!));
  if (
    !equalBytes(new Uint8Array(serialB.valueBlock.valueHexView), cert.serial) ||
    (names.length && !names.some((n) => equalBytes(n, cert.issuerDer)))
  ) {
    throw invalid(`the signingCertificate attribute's issuer and serial are not those of "${cert.subject}"`);
  }
}

/** What `verify --json` says about one token. */
export interface TimestampReport {
  genTime: string | undefined;
  tsa: string | undefined;
  serial: string | undefined;
  policy: string | undefined;
  digest: string | undefined;
  algorithm: string | undefined;
  /** a TSA anchor vouches for it and it covers this signature */
  trusted: boolean;
  error?: string;
}

/**
 * Check a token found beside a signature: it must be valid by itself (readTimeStampToken), be over exactly
 * `signatureValue` (RFC 3161 Appendix A: the imprint is a hash of the SignerInfo's signature), not be
 * from after `now`, and its TSA certificate must chain to one of `anchors` at genTime.
 */
export function checkTimestamp(
  der: Uint8Array,
  label: string,
  signatureValue: Uint8Array,
  anchors: readonly ParsedCertificate[],
  now: Date,
): { report: TimestampReport; genTime: Date | undefined } {
  let token: TimeStampToken | undefined;
  try {
    token = readTimeStampToken(der, label);
    const { tst } = token;
    if (!equalBytes(imprintOf(tst.imprint.digest, signatureValue), tst.imprint.hash)) {
      throw new PqsignError(
        'ERR_SIGNATURE_INVALID',
        "its messageImprint is not the hash of this SignerInfo's signature: it time-stamps something else",
      );
    }
    if (tst.genTime > now)
      throw new PqsignError(
        'ERR_SIGNATURE_INVALID',
        `its genTime ${tst.genTime.toISOString()} is after the verification time ${now.toISOString()}`,
      );
    if (!anchors.length)
      throw new PqsignError('ERR_CHAIN', `not trusted: no TSA anchor was given (${opt('tsaAnchors')}, or the policy's tsaAnchors)`);
    validatePath(token.tsaCert, { anchors, intermediates: token.certificates, at: tst.genTime, anyEku: false, purpose: 'timeStamping' });
    return { report: describe(token, true), genTime: tst.genTime };
  } catch (e) {
    if (!isPqsignError(e)) throw e;
    return { report: { ...describe(token, false), error: e.message }, genTime: undefined };
  }
}

function describe(token: TimeStampToken | undefined, trusted: boolean): TimestampReport {
  return {
    genTime: token?.tst.genTime.toISOString(),
    tsa: token?.tsaCert.subject,
    serial: token ? toHex(token.tst.serial) : undefined,
    policy: token?.tst.policy,
    digest: token?.tst.imprint.digest.name,
    algorithm: token?.signatureAlgorithm,
    trusted,
  };
}
