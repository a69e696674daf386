// Object identifiers of the CMS structures and attributes pqsign writes and reads (RFC 5652, RFC 6211).
export const OID = {
  /** RFC 5652 §4: id-data */
  data: '1.2.840.113549.1.7.1',
  /** RFC 5652 §5.1: id-signedData */
  signedData: '1.2.840.113549.1.7.2',
  /** RFC 5652 §11.1 */
  contentType: '1.2.840.113549.1.9.3',
  /** RFC 5652 §11.2 */
  messageDigest: '1.2.840.113549.1.9.4',
  /** RFC 5652 §11.3 */
  signingTime: '1.2.840.113549.1.9.5',
  /** RFC 6211 §2: id-aa-CMSAlgorithmProtection */
  algorithmProtection: '1.2.840.113549.1.9.52',
} as const;
