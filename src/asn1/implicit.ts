// IMPLICIT tagging (X.680 §31.2.7) keeps an encoding's length and contents and replaces its tag: the CMS
// signedAttrs [0] vs the SET OF that is signed (RFC 5652 §5.4), RFC 6211's [1] signatureAlgorithm.

/** The same TLV under another single-octet tag. */
export function retag(der: Uint8Array, tag: number): Uint8Array {
  const out = Uint8Array.from(der);
  out[0] = tag;
  return out;
}
