// A KMS signing key's public half as pqsign holds it. Its own module, free of AWS SDK types, because the
// public API's KmsSigner carries one (its type declarations must not need the SDK).
import type { PublicKey } from '../keys/spki.js';

export interface KmsPublicKey extends PublicKey {
  /** the key ARN KMS resolved the reference to (aliases resolved once, then the key is pinned) */
  keyArn: string;
}
