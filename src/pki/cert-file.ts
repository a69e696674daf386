// Certificates from a file: PEM (every CERTIFICATE block, in order) or one DER certificate.
import { decodePem, looksLikePem } from '../asn1/pem.js';
import { PqsignError, isPqsignError } from '../base/errors.js';
import { readSmallFile } from '../io/read.js';
import { parseCertificate, type ParsedCertificate } from './certificate.js';

export async function readCertificates(path: string, what = 'certificate'): Promise<ParsedCertificate[]> {
  const data = await readSmallFile(path, what, 4 * 1024 * 1024);
  try {
    if (!looksLikePem(data)) return [parseCertificate(data, what)];
    const blocks = decodePem(data).filter((b) => b.label === 'CERTIFICATE');
    if (!blocks.length) throw new PqsignError('ERR_KEY_FORMAT', `no CERTIFICATE PEM block in this ${what} file`);
    return blocks.map((b, i) => parseCertificate(b.der, blocks.length > 1 ? `${what} #${i + 1}` : what));
  } catch (e) {
    throw isPqsignError(e) ? e.withFile(path) : e;
  }
}

/** Exactly one certificate. */
export async function readCertificate(path: string, what = 'certificate'): Promise<ParsedCertificate> {
  const certs = await readCertificates(path, what);
  if (certs.length !== 1) throw new PqsignError('ERR_USAGE', `holds ${certs.length} certificates; expected one ${what}`, { file: path });
  return certs[0]!;
}
