// Key fingerprint used across pqsign (JSON output, manifests, DSSE keyid, C headers, pinning):
// SHA-256 of the raw FIPS 204 public key bytes, lowercase hex. Same as `oracle keyinfo`.
import { createHash } from 'node:crypto';
import { PqsignError } from '../base/errors.js';

export const keyFingerprint = (publicKey: Uint8Array): string => createHash('sha256').update(publicKey).digest('hex');

/** A pinned fingerprint from the command line (e.g. --key-sha256): 64 hex digits, returned lowercase. */
export function parseFingerprint(value: unknown, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/i.test(value.trim())) {
    throw new PqsignError('ERR_USAGE', `${flag} must be the 64-hex-digit SHA-256 of the raw public key`);
  }
  return value.trim().toLowerCase();
}
