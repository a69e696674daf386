// Revocation checking with CRLs (RFC 5280 §6.3, the parts code signing needs): every certificate on a
// validated path except the trust anchor must be covered by a CRL from its issuer — same issuer name,
// authority key identifier (when both sides have one) the issuer's, signed by the issuer's key, the issuer
// allowed to sign CRLs — that is current now (thisUpdate ≤ now < nextUpdate). A covering CRL that lists
// the certificate revokes it when:
//   - the reason is a compromise (keyCompromise, cACompromise, aACompromise) or is not given (unspecified,
//     or no reasonCode): whenever it happened, since whoever holds the key can make a signature or a
//     time-stamp request look older than it is;
//   - any other reason (superseded, cessationOfOperation, affiliationChanged, privilegeWithdrawn): only
//     when revocationDate is at or before the validation time — a signature time-stamped before a routine
//     retirement stays valid.
// A missing or stale CRL fails (ERR_CHAIN): revocation checking was asked for and cannot be done.
import { equalBytes, toHex } from '../base/bytes.js';
import { PqsignError } from '../base/errors.js';
import type { ParsedCertificate } from './certificate.js';
import type { ParsedCrl, ReasonName } from './crl.js';
import { chainError } from './path.js';
import { mlDsaSignatureProblem } from './signature.js';

const COMPROMISE: ReadonlySet<ReasonName | undefined> = new Set([
  'keyCompromise',
  'cACompromise',
  'aACompromise',
  'unspecified',
  undefined,
]);

export interface RevocationOptions {
  crls: readonly ParsedCrl[];
  /** CRLs must be current at this time (now, or --at) */
  now: Date;
  /** the time the path was validated at (a trusted time-stamp's genTime, ...) */
  validationTime: Date;
}

export interface RevocationReport {
  certificate: string;
  serial: string;
  /** the CRL that decided: its issuer, number and validity */
  crl: { issuer: string; number: string | undefined; thisUpdate: string; nextUpdate: string };
  status: 'good' | 'revoked-after-validation-time';
  reason?: string;
  revocationDate?: string;
}

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

/** Why `crl` is not one `issuer` vouches for, or undefined when it is. */
function issuerProblem(crl: ParsedCrl, issuer: ParsedCertificate): string | undefined {
  if (!equalBytes(crl.issuerDer, issuer.subjectDer)) return 'another issuer';
  if (crl.authorityKeyId && issuer.subjectKeyId && !equalBytes(crl.authorityKeyId, issuer.subjectKeyId))
    return 'its authorityKeyIdentifier names another key of the issuer';
  if (!crl.signatureFieldsMatch) return 'tbsCertList.signature differs from signatureAlgorithm (RFC 5280 §5.1.1.2)';
  // an ML-DSA or composite issuer; a composite CRL signature verifies only with both parts
  const key = issuer.publicKey ?? issuer.compositeKey;
  if (!key) return `the issuer holds a ${issuer.spkiAlgorithm} key, not ML-DSA`;
  const problem = mlDsaSignatureProblem(crl.tbs, crl.signatureAlgorithm, crl.signature, key);
  if (problem) return problem;
  if (issuer.keyUsage && !issuer.keyUsage.usages.has('cRLSign')) return "the issuer's keyUsage does not allow cRLSign";
  return crl.unsupported;
}

const isCurrent = (crl: ParsedCrl, now: Date) => crl.thisUpdate <= now && !!crl.nextUpdate && now < crl.nextUpdate;

/** Check `path` (signer first, anchor last); throws ERR_REVOKED or ERR_CHAIN; reports what decided each certificate. */
export function checkRevocation(path: readonly ParsedCertificate[], opts: RevocationOptions): RevocationReport[] {
  const reports: RevocationReport[] = [];
  for (let i = 0; i + 1 < path.length; i++) {
    const cert = path[i]!;
    const issuer = path[i + 1]!;
    const fromIssuer = opts.crls.filter((c) => equalBytes(c.issuerDer, cert.issuerDer));
    const problems = fromIssuer.map((c) => issuerProblem(c, issuer));
    const vouched = fromIssuer.filter((_, n) => problems[n] === undefined);
    if (!vouched.length) {
      const why = fromIssuer.length ? ` (${[...new Set(problems)].join('; ')})` : '';
      throw chainError(cert, 'revocation', `no usable CRL from its issuer "${issuer.subject}" among the CRLs given${why}`);
    }
    const current = vouched.filter((c) => isCurrent(c, opts.now));
    if (!current.length) {
      const newest = vouched.reduce((a, b) => (b.thisUpdate > a.thisUpdate ? b : a));
      const window = `thisUpdate ${iso(newest.thisUpdate)}, nextUpdate ${newest.nextUpdate ? iso(newest.nextUpdate) : 'absent'}`;
      throw chainError(
        cert,
        'revocation',
        `the CRL of "${issuer.subject}" is not current at ${iso(opts.now)} (${window}): fetch a fresh one`,
      );
    }
    // any current CRL that lists the certificate counts, the newest decides otherwise
    const newest = current.reduce((a, b) => (b.thisUpdate > a.thisUpdate ? b : a));
    const listed = current
      .map((crl) => ({ crl, entry: crl.entries.find((e) => equalBytes(e.serial, cert.serial)) }))
      .find((x) => x.entry) ?? { crl: newest, entry: undefined };
    const { crl, entry } = listed;
    const facts = { issuer: crl.issuer, number: crl.number?.toString(), thisUpdate: iso(crl.thisUpdate), nextUpdate: iso(crl.nextUpdate!) };
    const base = { certificate: cert.subject, serial: toHex(cert.serial), crl: facts };
    if (!entry) {
      reports.push({ ...base, status: 'good' });
      continue;
    }
    const reason = entry.reason ?? 'no reason given';
    if (COMPROMISE.has(entry.reason) || entry.revocationDate <= opts.validationTime) {
      const rule = COMPROMISE.has(entry.reason)
        ? 'a compromise (or unstated) reason revokes whenever it happened'
        : `revoked at or before the validation time ${iso(opts.validationTime)}`;
      throw new PqsignError(
        'ERR_REVOKED',
        `certificate "${cert.subject}" (serial ${toHex(cert.serial)}) is revoked: ${reason} since ${iso(entry.revocationDate)} ` +
          `(CRL of "${crl.issuer}"${crl.number === undefined ? '' : ` number ${crl.number}`}; ${rule})`,
        { detail: 'revocation' },
      );
    }
    reports.push({ ...base, status: 'revoked-after-validation-time', reason, revocationDate: iso(entry.revocationDate) });
  }
  return reports;
}
