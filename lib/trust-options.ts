// The trust options of a library verify (types only: their declarations must not pull in the policy
// and certificate modules, whose types name third-party libraries). lib/trust.ts resolves them.
import type { PublicKey } from '../src/keys/spki.js';
import type { KeyRefOptions } from '../src/pipeline/keyref.js';

/** A certificate or CRL: a file (PEM or DER) or DER bytes. */
export type DerInput = string | Uint8Array;

/** Whom a verification trusts. At least one of `keys`, `keySha256`, `trustAnchors` or `policy`. */
export interface TrustOptions {
  /** trusted keys: key or certificate files, `awskms://` references, or loaded public keys */
  keys?: ReadonlyArray<string | PublicKey> | string | PublicKey | undefined;
  /**
   * SHA-256 of a trusted raw public key (hex): enough for containers that carry their key or certificate;
   * with `keys`, the key that must be among them.
   */
  keySha256?: string | undefined;
  /** trusted root certificates: certificate paths are validated up to one of them (cms, uefi pkcs7) */
  trustAnchors?: readonly DerInput[] | undefined;
  /** trusted TSA roots: a time-stamp token from a TSA one vouches for fixes the path's validation time */
  tsaAnchors?: readonly DerInput[] | undefined;
  /** without a trusted time-stamp, validate paths at the signer's own signingTime (which it can backdate) */
  trustSigningTime?: boolean | undefined;
  /** CRLs: revocation is checked; every certificate on a path needs a current CRL from its issuer */
  crls?: readonly DerInput[] | undefined;
  /** anti-rollback: the lowest acceptable UEFI MonotonicCount */
  minMonotonicCount?: bigint | number | string | undefined;
  /** a trust policy file (docs/verification.md); excludes the key and anchor options above */
  policy?: string | undefined;
  /** with `policy`: the scope to apply, instead of matching by path */
  scope?: string | undefined;
  /** how key references are loaded (`passphrase()` for an encrypted private key given as a trusted key, `alg` for raw keys) */
  keyOptions?: KeyRefOptions | undefined;
}
