// `pqsign cert verify`: one certificate's path to a trust anchor, on its own (RFC 5280 §6 through
// validatePath, the check CMS and UEFI verification make). The first certificate of CERT is checked;
// any others in that file, and every --chain file, are untrusted candidates for the path. Trust
// anchors come only from the --trust-anchor files. With --crl, every certificate on the path but the anchor
// must be covered by a current CRL of its issuer and not revoked (src/pki/revocation.ts).
import { parseTimeOption, wholeSeconds } from '../asn1/time.js';
import { inFile, opt } from '../base/errors.js';
import { readCertificates } from './cert-file.js';
import type { ParsedCertificate } from './certificate.js';
import { certificateFacts } from './describe.js';
import { validatePath } from './path.js';
import { readCrls, type ParsedCrl } from './crl.js';
import { checkRevocation, type RevocationReport } from './revocation.js';

export interface ChainCheckOptions {
  trustAnchors: readonly string[];
  chain: readonly string[];
  /** validation time, ISO 8601 or "now"; default now */
  at: string | undefined;
  /** require extendedKeyUsage codeSigning of the certificate */
  codeSigning: boolean;
  /** CRL files (PEM or DER): revocation checking is asked for */
  crls?: readonly string[] | undefined;
}

export interface ChainLink {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  keyFingerprint: string | null;
}

export interface ChainReport {
  /** the validation time */
  at: string;
  codeSigning: boolean;
  /** certificate first, trust anchor last */
  chain: ChainLink[];
  /** with CRLs: what each certificate's CRL said */
  revocation?: RevocationReport[];
}

async function readAll(paths: readonly string[], what: string): Promise<ParsedCertificate[]> {
  const out: ParsedCertificate[] = [];
  for (const p of paths) for (const c of await readCertificates(p, what)) out.push(c); // a bundle may hold any number
  return out;
}

export async function verifyCertificateChain(certPath: string, opts: ChainCheckOptions): Promise<ChainReport> {
  const at = opts.at === undefined ? wholeSeconds(new Date()) : parseTimeOption(opts.at, opt('at'));
  const [cert, ...bundled] = await readCertificates(certPath);
  const anchors = await readAll(opts.trustAnchors, 'trust anchor');
  const intermediates = [...bundled, ...(await readAll(opts.chain, 'chain certificate'))];
  const crls: ParsedCrl[] = [];
  for (const p of opts.crls ?? []) crls.push(...(await readCrls(p)));
  const path = await inFile(certPath, () => validatePath(cert!, { anchors, intermediates, at, anyEku: !opts.codeSigning }));
  const revocation = crls.length ? await inFile(certPath, () => checkRevocation(path, { crls, now: at, validationTime: at })) : undefined;
  return {
    ...(revocation ? { revocation } : {}),
    at: at.toISOString(),
    codeSigning: opts.codeSigning,
    chain: path.map((c) => {
      const f = certificateFacts(c);
      return {
        subject: f.subject,
        issuer: f.issuer,
        serial: f.serial,
        notBefore: f.notBefore,
        notAfter: f.notAfter,
        keyFingerprint: f.keyFingerprint,
      };
    }),
  };
}
