// Certification path building and validation (RFC 5280 §6, the parts code signing needs): from the signer's
// certificate through the available intermediates to one of the trust anchors. Every link's ML-DSA or
// composite ML-DSA signature (both parts), validity at the validation time, basicConstraints and pathLenConstraint, keyUsage, and for the
// signer extendedKeyUsage codeSigning. Trust anchors are certificates; their own validity, basicConstraints,
// keyUsage and pathLenConstraint are honoured when present (as OpenSSL does), their signature is not checked.
// Trust comes only from `anchors` (the user's trust-anchor files): a certificate is the anchor only when it is
// byte for byte one of them. An untrusted certificate that copies an anchor's subject and public key is just
// another intermediate, so its own fields never replace the anchor's and the path must still end in a link
// whose signature verifies under an anchor's key.
// A time-stamping path (RFC 3161 §2.3) ends in a TSA certificate instead: extendedKeyUsage timeStamping only,
// critical; its certificates may be ECDSA or RSA as well as ML-DSA (public TSAs are classical today).
// Each failure is an ERR_CHAIN naming the certificate (subject) and the rule.
import { equalBytes, toHex } from '../base/bytes.js';
import { PqsignError, opt } from '../base/errors.js';
import type { ParsedCertificate } from './certificate.js';
import { classicalSignatureProblem } from './classical.js';
import { KP } from './oids.js';
import { mlDsaSignatureProblem } from './signature.js';

export interface PathOptions {
  anchors: readonly ParsedCertificate[];
  /** untrusted certificates that may complete the path (e.g. embedded in the CMS) */
  intermediates: readonly ParsedCertificate[];
  /** validation time */
  at: Date;
  /** accept a signer certificate without extendedKeyUsage codeSigning */
  anyEku: boolean;
  /** what the end-entity certificate is for: code signing (the default; ML-DSA only) or a TSA's time stamping */
  purpose?: 'codeSigning' | 'timeStamping' | undefined;
}

const MAX_PATH = 10;

export const chainError = (cert: ParsedCertificate, rule: string, why: string) =>
  new PqsignError('ERR_CHAIN', `certificate "${cert.subject}": ${rule}: ${why}`);

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');
const selfIssued = (c: ParsedCertificate) => equalBytes(c.subjectDer, c.issuerDer);

function checkValidity(c: ParsedCertificate, at: Date): void {
  if (at < c.notBefore)
    throw chainError(c, 'validity', `not yet valid (notBefore ${iso(c.notBefore)} is after the validation time ${iso(at)})`);
  if (at > c.notAfter) throw chainError(c, 'validity', `expired (notAfter ${iso(c.notAfter)} is before the validation time ${iso(at)})`);
}

function checkCritical(c: ParsedCertificate): void {
  if (c.unprocessedCritical.length)
    throw chainError(c, 'critical extension', `unsupported critical extension ${c.unprocessedCritical.join(', ')}`);
}

/** RFC 5280 §4.2.1.3 and §4.2.1.12 for the signer's (end-entity) certificate. */
function checkSigner(c: ParsedCertificate, opts: PathOptions): void {
  checkValidity(c, opts.at);
  checkCritical(c);
  if (opts.purpose === 'timeStamping') return checkTimeStamping(c);
  if (!c.publicKey && !c.compositeKey) throw chainError(c, 'public key', `holds a ${c.spkiAlgorithm} key, not ML-DSA`);
  if (c.keyUsage && !c.keyUsage.usages.has('digitalSignature')) {
    throw chainError(c, 'keyUsage', `does not allow digitalSignature (has ${[...c.keyUsage.usages].join(', ') || 'none'})`);
  }
  if (!opts.anyEku) {
    if (!c.extKeyUsage)
      throw chainError(c, 'extendedKeyUsage', `has no extendedKeyUsage; codeSigning is required (use ${opt('anyEku')} to accept any)`);
    if (!c.extKeyUsage.purposes.includes(KP.codeSigning)) {
      throw chainError(
        c,
        'extendedKeyUsage',
        `does not include codeSigning (has ${c.extKeyUsage.purposes.join(', ')}; use ${opt('anyEku')} to accept any)`,
      );
    }
  }
}

/**
 * RFC 3161 §2.3: a TSA's certificate has exactly one extendedKeyUsage, id-kp-timeStamping, critical (OpenSSL's
 * timestamp purpose checks the same); keyUsage, when present, allows digitalSignature or nonRepudiation.
 */
export function checkTimeStamping(c: ParsedCertificate): void {
  const eku = c.extKeyUsage;
  if (!eku || !eku.critical || eku.purposes.length !== 1 || eku.purposes[0] !== KP.timeStamping) {
    const has = eku ? `${eku.critical ? 'critical' : 'non-critical'} ${eku.purposes.join(', ')}` : 'none';
    throw chainError(
      c,
      'extendedKeyUsage',
      `a time-stamping certificate needs extendedKeyUsage timeStamping only, critical (RFC 3161 §2.3); has ${has}`,
    );
  }
  if (c.keyUsage && !c.keyUsage.usages.has('digitalSignature') && !c.keyUsage.usages.has('nonRepudiation')) {
    throw chainError(c, 'keyUsage', 'allows neither digitalSignature nor nonRepudiation');
  }
}

/** Why `child`'s signature does not verify under `issuer`'s key; classical keys only on time-stamping paths. */
function signatureProblem(child: ParsedCertificate, issuer: ParsedCertificate, classical: boolean): string | undefined {
  const key = issuer.publicKey ?? issuer.compositeKey;
  if (key) return mlDsaSignatureProblem(child.tbs, child.signatureAlgorithm, child.signature, key);
  if (!classical) return `the issuer holds a ${issuer.spkiAlgorithm} key, not ML-DSA`;
  return classicalSignatureProblem(child.tbs, child.signatureAlgorithm, child.signature, issuer.spki);
}

/**
 * `issuer` may issue `child`, which sits `below` certificates above the signer (0 when child is the signer).
 * `intermediatesBelow` counts the non-self-issued CA certificates between issuer and signer (RFC 5280 §6.1.4 (l)).
 */
function checkIssuer(
  issuer: ParsedCertificate,
  child: ParsedCertificate,
  isAnchor: boolean,
  intermediatesBelow: number,
  at: Date,
  classical: boolean,
): void {
  if (!issuer.publicKey && !issuer.compositeKey && !classical)
    throw chainError(issuer, 'public key', `holds a ${issuer.spkiAlgorithm} key, not ML-DSA`);
  if (!child.signatureFieldsMatch)
    throw chainError(child, 'signature', 'tbsCertificate.signature differs from signatureAlgorithm (RFC 5280 §4.1.1.2)');
  const problem = signatureProblem(child, issuer, classical);
  if (problem) throw chainError(child, 'signature', `${problem} ("${issuer.subject}")`);
  checkValidity(issuer, at);
  if (!isAnchor) checkCritical(issuer);
  const bc = issuer.basicConstraints;
  if (!bc ? !isAnchor : !bc.ca)
    throw chainError(
      issuer,
      'basicConstraints',
      'is not a CA certificate (basicConstraints cA is not TRUE) but issued another certificate',
    );
  if (issuer.keyUsage && !issuer.keyUsage.usages.has('keyCertSign'))
    throw chainError(issuer, 'keyUsage', 'does not allow keyCertSign but issued another certificate');
  if (bc?.pathLen !== undefined && intermediatesBelow > bc.pathLen) {
    throw chainError(
      issuer,
      'pathLenConstraint',
      `allows ${bc.pathLen} intermediate CA certificate(s) below it, the path has ${intermediatesBelow}`,
    );
  }
}

/** The validated path, signer first and trust anchor last; throws ERR_CHAIN. */
export function validatePath(signer: ParsedCertificate, opts: PathOptions): ParsedCertificate[] {
  const isAnchor = (c: ParsedCertificate) => opts.anchors.some((a) => equalBytes(a.der, c.der));
  const classical = opts.purpose === 'timeStamping';
  checkSigner(signer, opts);

  const extend = (path: ParsedCertificate[]): ParsedCertificate[] => {
    const cert = path[path.length - 1]!;
    if (isAnchor(cert)) return path;
    if (path.length > MAX_PATH) throw chainError(cert, 'path', `no trust anchor within ${MAX_PATH} certificates`);
    if (selfIssued(cert) && signatureProblem(cert, cert, classical) === undefined)
      throw chainError(cert, 'trust anchor', 'is self-signed but is not one of the trust anchors');
    // Issuer by name (RFC 5280 §6.1.3 (a)(4)); a matching key identifier only orders the candidates.
    const keyIdMatches = (c: ParsedCertificate) =>
      !!cert.authorityKeyId && !!c.subjectKeyId && equalBytes(cert.authorityKeyId, c.subjectKeyId);
    const candidates = [...opts.anchors, ...opts.intermediates]
      .filter(
        (c, i, all) =>
          equalBytes(c.subjectDer, cert.issuerDer) &&
          !path.some((p) => equalBytes(p.der, c.der)) &&
          all.findIndex((o) => equalBytes(o.der, c.der)) === i,
      )
      .sort((a, b) => Number(keyIdMatches(b)) - Number(keyIdMatches(a)));
    if (!candidates.length) {
      throw chainError(
        cert,
        'issuer',
        `no certificate for its issuer "${cert.issuer}" among the embedded certificates and trust anchors (missing intermediate or wrong trust anchor)`,
      );
    }
    const intermediatesBelow = path.slice(1).filter((c) => !selfIssued(c)).length;
    let first: unknown;
    for (const issuer of candidates) {
      try {
        checkIssuer(issuer, cert, isAnchor(issuer), intermediatesBelow, opts.at, classical);
        return extend([...path, issuer]);
      } catch (e) {
        first ??= e;
      }
    }
    throw first;
  };
  return extend([signer]);
}

/** Short description of a certificate for reports. */
export const describeCertificate = (c: ParsedCertificate) => ({ subject: c.subject, issuer: c.issuer, serial: toHex(c.serial) });
