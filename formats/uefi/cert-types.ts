// The WIN_CERTIFICATE_UEFI_GUID CertTypes pqsign reads and writes: one entry per CertType family
// (`mldsa`, the compact vendor-defined profile; `pkcs7`, EFI_CERT_TYPE_PKCS7_GUID with a detached CMS
// SignedData). The container (header, count, payload, signed message payload ‖ count) is
// formats/uefi/index.ts; an entry only turns that signed message into CertData and back. Adding a CertType
// is one module plus one line in CERT_TYPES.
import { PqsignError, opt } from '../../src/base/errors.js';
import { guidText } from '../../src/uefi/guid.js';
import type { CertTypeHandler, UefiOptions } from './cert-type.js';
import { mldsaCertType } from './mldsa-cert.js';
import { pkcs7CertType } from './pkcs7-cert.js';

export const CERT_TYPES: readonly CertTypeHandler[] = [mldsaCertType, pkcs7CertType];

/**
 * The CertType to sign with: --uefi-cert-type when given; otherwise pkcs7 when certificates are given
 * (--cert/--chain, or the resolved certificates of an offline request), else the compact mldsa.
 */
export function certTypeFor(options: UefiOptions): CertTypeHandler {
  const withCertificates = options.cert !== undefined || options.chain !== undefined || options.certificates !== undefined;
  const name = options.uefiCertType;
  if (name === undefined) return withCertificates ? pkcs7CertType : mldsaCertType;
  const t = CERT_TYPES.find((c) => c.name === name);
  if (!t)
    throw new PqsignError(
      'ERR_USAGE',
      `unknown ${opt('uefiCertType')} "${String(name)}" (supported: ${CERT_TYPES.map((c) => c.name).join(', ')})`,
    );
  if (t === mldsaCertType && withCertificates) {
    throw new PqsignError(
      'ERR_USAGE',
      `the mldsa CertType carries the bare public key, no certificates: drop ${opt('cert')}/${opt('chain')}, or use ${opt('uefiCertType', 'pkcs7')}`,
    );
  }
  return t;
}

export const certTypeByGuid = (guid: Uint8Array): CertTypeHandler | undefined => CERT_TYPES.find((c) => c.recognises(guid));

export function requireCertType(guid: Uint8Array, file: string): CertTypeHandler {
  const t = certTypeByGuid(guid);
  if (!t) {
    throw new PqsignError(
      'ERR_SIGNATURE_FORMAT',
      `unknown CertType {${guidText(guid)}} (supported: ${CERT_TYPES.map((c) => c.name).join(', ')})`,
      { file },
    );
  }
  return t;
}
