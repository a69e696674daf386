// An ML-DSA key pair as pqsign holds it once loaded, whatever encoding it came from (RFC 9881's seed,
// expandedKey or both, or a bare seed). Defined here, below the key codecs, because the signer and the
// composite keys hold one too.
import type { ParamSet } from './params.js';

export type KeyForm = 'seed' | 'expanded' | 'both' | 'bare-seed';

export interface PrivateKey {
  params: ParamSet;
  /** ξ, when the encoding carried it */
  seed: Uint8Array | undefined;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  /** the encoding it was read from */
  form: KeyForm;
}
