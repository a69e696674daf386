// The `pqsign cert` operations: a self-signed CA, certificates issued by a CA (from a key reference or a
// PKCS#10 request), and requests. Any Signer works as the issuing key — local file or KMS.
import { decodePem, looksLikePem } from '../asn1/pem.js';
import { PqsignError, opt } from '../base/errors.js';
import { readSmallFile } from '../io/read.js';
import type { PublicKey } from '../keys/spki.js';
import type { Signer } from '../mldsa/signer.js';
import type { CompositeSigner } from '../composite/signer.js';
import { readCertificate } from './cert-file.js';
import type { ParsedCertificate } from './certificate.js';
import { createCsr, parseCsr } from './csr.js';
import type { Profile } from './extensions.js';
import { issueCertificate } from './issue.js';
import { parseName } from './name.js';
import { signerKey } from './signature.js';

export interface Validity {
  notBefore: Date;
  days: number;
}

const DAY_MS = 86_400_000;

function validityDates(v: Validity): { notBefore: Date; notAfter: Date } {
  if (!Number.isInteger(v.days) || v.days < 1)
    throw new PqsignError('ERR_USAGE', `${opt('days')} must be a whole number of days, at least 1`, { option: 'days' });
  return { notBefore: v.notBefore, notAfter: new Date(v.notBefore.getTime() + v.days * DAY_MS) };
}

function checkPathLen(pathLen: number | undefined): void {
  if (pathLen !== undefined && !(Number.isInteger(pathLen) && pathLen >= 0))
    throw new PqsignError('ERR_USAGE', `${opt('pathLen')} must be a whole number, 0 or more`, { option: 'pathLen' });
}

export async function createCa(signer: Signer | CompositeSigner, subject: string, validity: Validity, pathLen: number | undefined) {
  checkPathLen(pathLen);
  return issueCertificate({
    subjectDer: parseName(subject),
    subjectKey: signerKey(signer),
    issuer: undefined,
    signer,
    ...validityDates(validity),
    profile: { kind: 'ca', pathLen },
  });
}

export interface IssueOptions {
  caSigner: Signer | CompositeSigner;
  caCertPath: string;
  /** the subject's key, or a request file whose self-signature proves possession of it */
  subject: { key: PublicKey; name: string } | { csrPath: string; name: string | undefined };
  validity: Validity;
  profile: Profile;
}

/** Checks a CA can issue this certificate (RFC 5280 §4.2.1.9, §4.2.1.3); returns warnings worth printing. */
function checkIssuer(ca: ParsedCertificate, profile: Profile, notAfter: Date): string[] {
  if (!ca.basicConstraints?.ca)
    throw new PqsignError('ERR_USAGE', `"${ca.subject}" is not a CA certificate (basicConstraints cA is not TRUE)`);
  if (ca.keyUsage && !ca.keyUsage.usages.has('keyCertSign'))
    throw new PqsignError('ERR_USAGE', `"${ca.subject}" does not allow keyCertSign`);
  if (profile.kind === 'ca' && ca.basicConstraints.pathLen === 0) {
    throw new PqsignError('ERR_USAGE', `"${ca.subject}" has pathLenConstraint 0: it may not issue CA certificates`);
  }
  const warnings: string[] = [];
  if (notAfter > ca.notAfter)
    warnings.push(
      `the certificate outlives its CA "${ca.subject}" (CA notAfter ${ca.notAfter.toISOString()}); it will not validate after that`,
    );
  return warnings;
}

export async function issueFromCa(o: IssueOptions): Promise<{ der: Uint8Array; cert: ParsedCertificate; warnings: string[] }> {
  if (o.profile.kind === 'ca') checkPathLen(o.profile.pathLen);
  const ca = await readCertificate(o.caCertPath, 'CA certificate');
  const dates = validityDates(o.validity);
  const warnings = checkIssuer(ca, o.profile, dates.notAfter);
  let subjectDer: Uint8Array;
  let subjectKey: PublicKey;
  if ('key' in o.subject) {
    subjectDer = parseName(o.subject.name);
    subjectKey = o.subject.key;
  } else {
    const req = parseCsr(await readRequest(o.subject.csrPath), o.subject.csrPath);
    subjectDer = o.subject.name ? parseName(o.subject.name) : req.subjectDer;
    subjectKey = req.publicKey;
  }
  const issued = await issueCertificate({ subjectDer, subjectKey, issuer: ca, signer: o.caSigner, ...dates, profile: o.profile });
  return { ...issued, warnings };
}

async function readRequest(path: string): Promise<Uint8Array> {
  const data = await readSmallFile(path, 'certification request', 1024 * 1024);
  if (!looksLikePem(data)) return data;
  const block = decodePem(data).find((b) => b.label === 'CERTIFICATE REQUEST' || b.label === 'NEW CERTIFICATE REQUEST');
  if (!block) throw new PqsignError('ERR_KEY_FORMAT', 'no CERTIFICATE REQUEST PEM block', { file: path });
  return block.der;
}

export const createRequest = (signer: Signer | CompositeSigner, subject: string): Promise<Uint8Array> =>
  createCsr(signer, parseName(subject));
