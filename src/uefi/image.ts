// EFI_FIRMWARE_IMAGE_AUTHENTICATION as FMP capsules carry it in front of the payload (UEFI 2.10
// §23.1 EFI_FIRMWARE_MANAGEMENT_PROTOCOL.SetImage; edk2 MdePkg/Include/Protocol/FirmwareManagement.h
// and Guid/WinCertificate.h; the checks mirror edk2 FmpAuthenticationLibPkcs7 AuthenticateFmpImage):
//
//   offset  size  field
//   0       8     MonotonicCount                      UINT64 LE
//   8       4     AuthInfo.Hdr.dwLength               UINT32 LE = 24 + |CertData|
//   12      2     AuthInfo.Hdr.wRevision              0x0200
//   14      2     AuthInfo.Hdr.wCertificateType       0x0EF1 (WIN_CERT_TYPE_EFI_GUID)
//   16      16    AuthInfo.CertType                   EFI_GUID
//   32      n     AuthInfo.CertData                   n = dwLength - 24
//   8+dwLength    payload, to the end of the file
//
// The signed message is payload ‖ MonotonicCount (8 bytes LE), as edk2 builds it before Pkcs7Verify.
import { PqsignError, opt } from '../base/errors.js';
import { GUID_BYTES } from './guid.js';

export const COUNT_BYTES = 8;
/** sizeof(WIN_CERTIFICATE) + sizeof(EFI_GUID) = OFFSET_OF(WIN_CERTIFICATE_UEFI_GUID, CertData) */
export const AUTH_INFO_FIXED_BYTES = 8 + GUID_BYTES;
/** MonotonicCount + the fixed part of AuthInfo: where CertData starts */
export const HEADER_BYTES = COUNT_BYTES + AUTH_INFO_FIXED_BYTES;
export const WIN_CERT_REVISION = 0x0200;
export const WIN_CERT_TYPE_EFI_GUID = 0x0ef1;
/**
 * Our ceiling on CertData: a compact ML-DSA-87 CertData is 7219 bytes and a CMS SignedData with a
 * certificate chain a few KiB more; anything near this is not a signature. Bounds what verify reads.
 */
export const MAX_CERT_DATA_BYTES = 1024 * 1024;
export const UINT64_MAX = (1n << 64n) - 1n;

export interface AuthHeader {
  monotonicCount: bigint;
  dwLength: number;
  wRevision: number;
  wCertificateType: number;
  certType: Uint8Array;
}

/** Where the parts of a well-formed image lie. */
export interface ImageLayout extends AuthHeader {
  certDataOffset: number;
  certDataBytes: number;
  payloadOffset: number;
  payloadBytes: number;
}

/** A MonotonicCount (option `name`): a UINT64 as a bigint, or decimal or 0x-hex text; required. */
export function parseMonotonicCount(value: unknown, name = 'monotonicCount'): bigint {
  const bad = (why: string) => new PqsignError('ERR_USAGE', `${opt(name)} ${why}`, { option: name });
  if (value === undefined) {
    throw new PqsignError('ERR_USAGE', `${opt('format', 'uefi')} needs ${opt(name)} N (UINT64), so no release ships count 0 by accident`, {
      option: name,
    });
  }
  if (Array.isArray(value)) throw bad('is given more than once');
  const text = String(value).trim();
  if (!/^(?:[0-9]+|0x[0-9a-f]+)$/i.test(text)) throw bad(`"${text}" is not an unsigned integer (decimal or 0x hex)`);
  const n = BigInt(text);
  if (n < 0n || n > UINT64_MAX) throw bad(`${text} does not fit in a UINT64 (max ${UINT64_MAX})`);
  return n;
}

export function encodeCount(count: bigint): Uint8Array {
  const out = new Uint8Array(COUNT_BYTES);
  new DataView(out.buffer).setBigUint64(0, count, true);
  return out;
}

/** The 32 bytes before CertData. */
export function encodeHeader(count: bigint, certType: Uint8Array, certDataBytes: number): Uint8Array {
  if (certType.length !== GUID_BYTES) throw new Error('CertType must be a 16-byte EFI_GUID');
  if (certDataBytes < 1 || certDataBytes > MAX_CERT_DATA_BYTES) throw new Error(`CertData of ${certDataBytes} bytes is out of range`);
  const out = new Uint8Array(HEADER_BYTES);
  const v = new DataView(out.buffer);
  v.setBigUint64(0, count, true);
  v.setUint32(8, AUTH_INFO_FIXED_BYTES + certDataBytes, true);
  v.setUint16(12, WIN_CERT_REVISION, true);
  v.setUint16(14, WIN_CERT_TYPE_EFI_GUID, true);
  out.set(certType, 16);
  return out;
}

/** Read the fixed fields; no checks (detection and inspect of damaged headers use this too). */
export function readHeaderFields(head: Uint8Array): AuthHeader {
  const v = new DataView(head.buffer, head.byteOffset, HEADER_BYTES);
  return {
    monotonicCount: v.getBigUint64(0, true),
    dwLength: v.getUint32(8, true),
    wRevision: v.getUint16(12, true),
    wCertificateType: v.getUint16(14, true),
    certType: Uint8Array.from(head.subarray(16, HEADER_BYTES)),
  };
}

export const hex16 = (n: number) => `0x${n.toString(16).padStart(4, '0').toUpperCase()}`;

/**
 * Strict structure checks in edk2's order: dwLength leaves room for CertData, stays under our
 * ceiling, ends inside the file with a non-empty payload after it; then wRevision and
 * wCertificateType. CertType is the caller's (it knows the table).
 */
export function parseLayout(head: Uint8Array, fileSize: number, file: string): ImageLayout {
  const bad = (msg: string) => new PqsignError('ERR_SIGNATURE_FORMAT', `not a valid UEFI image: ${msg}`, { file });
  if (fileSize < HEADER_BYTES || head.length < HEADER_BYTES) {
    throw bad(`${fileSize} bytes is shorter than the ${HEADER_BYTES}-byte EFI_FIRMWARE_IMAGE_AUTHENTICATION header`);
  }
  const h = readHeaderFields(head);
  if (h.dwLength <= AUTH_INFO_FIXED_BYTES)
    throw bad(
      `dwLength ${h.dwLength} is too small (at least ${AUTH_INFO_FIXED_BYTES + 1}: the WIN_CERTIFICATE_UEFI_GUID header plus CertData)`,
    );
  const certDataBytes = h.dwLength - AUTH_INFO_FIXED_BYTES;
  if (certDataBytes > MAX_CERT_DATA_BYTES) throw bad(`dwLength ${h.dwLength} is too large (CertData over ${MAX_CERT_DATA_BYTES} bytes)`);
  const payloadOffset = COUNT_BYTES + h.dwLength;
  if (payloadOffset > fileSize) throw bad(`dwLength ${h.dwLength} reaches beyond the end of the file (${fileSize} bytes)`);
  if (payloadOffset === fileSize) throw bad('the payload after AuthInfo is empty (edk2 rejects such images)');
  if (h.wRevision !== WIN_CERT_REVISION) throw bad(`wRevision is ${hex16(h.wRevision)}, expected ${hex16(WIN_CERT_REVISION)}`);
  if (h.wCertificateType !== WIN_CERT_TYPE_EFI_GUID) {
    throw bad(`wCertificateType is ${hex16(h.wCertificateType)}, expected ${hex16(WIN_CERT_TYPE_EFI_GUID)} (WIN_CERT_TYPE_EFI_GUID)`);
  }
  return { ...h, certDataOffset: HEADER_BYTES, certDataBytes, payloadOffset, payloadBytes: fileSize - payloadOffset };
}

/** Does this look like our container? The fixed WIN_CERTIFICATE fields, or a CertType we know. */
export function looksLikeImage(head: Uint8Array, knownCertType: (guid: Uint8Array) => boolean): boolean {
  if (head.length < HEADER_BYTES) return false;
  const h = readHeaderFields(head);
  return (h.wRevision === WIN_CERT_REVISION && h.wCertificateType === WIN_CERT_TYPE_EFI_GUID) || knownCertType(h.certType);
}
