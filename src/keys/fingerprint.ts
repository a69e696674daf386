// Key fingerprint used across pqsign (JSON output, manifests, DSSE keyid, C headers, pinning):
// SHA-256 of the raw FIPS 204 public key bytes, lowercase hex. Same as `oracle keyinfo`.
import { createHash } from 'node:crypto';

export const keyFingerprint = (publicKey: Uint8Array): string => createHash('sha256').update(publicKey).digest('hex');
