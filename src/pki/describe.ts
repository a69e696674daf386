// The facts `pqsign cert show` prints about a certificate (text and --json share them).
import { toHex, equalBytes } from '../base/bytes.js';
import { keyFingerprint } from '../keys/fingerprint.js';
import { compositeByOid } from '../composite/params.js';
import { paramByOid } from '../mldsa/params.js';
import type { ParsedCertificate } from './certificate.js';
import { KP } from './oids.js';
import { mlDsaSignatureProblem } from './signature.js';

const PURPOSES: Record<string, string> = {
  [KP.codeSigning]: 'codeSigning',
  [KP.anyExtendedKeyUsage]: 'anyExtendedKeyUsage',
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};

export interface CertificateFacts {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  keyAlgorithm: string;
  keyFingerprint: string | null;
  signatureAlgorithm: string;
  selfSigned: boolean;
  /** for a self-signed certificate: does its own key verify it? */
  selfSignatureValid?: boolean;
  basicConstraints: { ca: boolean; pathLen: number | null; critical: boolean } | null;
  keyUsage: { usages: string[]; critical: boolean } | null;
  extKeyUsage: { purposes: string[]; critical: boolean } | null;
  subjectKeyIdentifier: string | null;
  authorityKeyIdentifier: string | null;
}

export function certificateFacts(c: ParsedCertificate): CertificateFacts {
  const selfSigned = equalBytes(c.subjectDer, c.issuerDer);
  const key = c.publicKey ?? c.compositeKey;
  return {
    subject: c.subject,
    issuer: c.issuer,
    serial: toHex(c.serial),
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    keyAlgorithm: key?.composite?.name ?? key?.params.name ?? c.spkiAlgorithm,
    keyFingerprint: key ? keyFingerprint(key.publicKey) : null,
    signatureAlgorithm:
      compositeByOid(c.signatureAlgorithm.oid)?.name ?? paramByOid(c.signatureAlgorithm.oid)?.name ?? c.signatureAlgorithm.oid,
    selfSigned,
    ...(selfSigned && key
      ? { selfSignatureValid: mlDsaSignatureProblem(c.tbs, c.signatureAlgorithm, c.signature, key) === undefined }
      : {}),
    basicConstraints: c.basicConstraints
      ? { ca: c.basicConstraints.ca, pathLen: c.basicConstraints.pathLen ?? null, critical: c.basicConstraints.critical }
      : null,
    keyUsage: c.keyUsage ? { usages: [...c.keyUsage.usages], critical: c.keyUsage.critical } : null,
    extKeyUsage: c.extKeyUsage ? { purposes: c.extKeyUsage.purposes.map((p) => PURPOSES[p] ?? p), critical: c.extKeyUsage.critical } : null,
    subjectKeyIdentifier: c.subjectKeyId ? toHex(c.subjectKeyId) : null,
    authorityKeyIdentifier: c.authorityKeyId ? toHex(c.authorityKeyId) : null,
  };
}

export function formatFacts(f: CertificateFacts): string {
  const crit = (x: { critical: boolean }) => (x.critical ? ' (critical)' : '');
  const rows: [string, string][] = [
    ['subject', f.subject],
    ['issuer', f.issuer + (f.selfSigned ? ` (self-signed${f.selfSignatureValid === false ? ', SIGNATURE INVALID' : ''})` : '')],
    ['serial', f.serial],
    ['valid', `${f.notBefore} .. ${f.notAfter}`],
    ['key', f.keyFingerprint ? `${f.keyAlgorithm}, sha256 ${f.keyFingerprint}` : f.keyAlgorithm],
    ['signature', f.signatureAlgorithm],
  ];
  if (f.basicConstraints) {
    const bc = f.basicConstraints;
    rows.push(['basicConstraints', `${bc.ca ? 'CA' : 'not a CA'}${bc.pathLen !== null ? `, pathLen ${bc.pathLen}` : ''}${crit(bc)}`]);
  }
  if (f.keyUsage) rows.push(['keyUsage', `${f.keyUsage.usages.join(', ')}${crit(f.keyUsage)}`]);
  if (f.extKeyUsage) rows.push(['extKeyUsage', `${f.extKeyUsage.purposes.join(', ')}${crit(f.extKeyUsage)}`]);
  if (f.subjectKeyIdentifier) rows.push(['subjectKeyId', f.subjectKeyIdentifier]);
  if (f.authorityKeyIdentifier) rows.push(['authorityKeyId', f.authorityKeyIdentifier]);
  return rows.map(([k, v]) => `${`${k}:`.padEnd(18)}${v}\n`).join('');
}
