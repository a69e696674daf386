// What a certificate path is checked against: the user's trust inputs only, never the container's.
/** The certificate-path trust inputs, as plain data (DER): what formats that carry certificates check. */
export interface PathTrust {
  /**
   * Trust anchors (DER certificates) from the user's trust inputs, never from the container. A format
   * that carries no certificates cannot check them and refuses a non-empty list (ERR_UNTRUSTED).
   */
  trustAnchors: readonly Uint8Array[];
  /** TSA anchors (DER): a time-stamp token whose TSA chains to one fixes the path's validation time */
  tsaAnchors?: readonly Uint8Array[] | undefined;
  /** without a trusted time-stamp token, validate the path at the signer's signingTime attribute */
  trustSigningTime?: boolean | undefined;
  /** CRLs (DER), given when revocation checking is asked for: every certificate on the path must be covered */
  crls?: readonly Uint8Array[] | undefined;
}
