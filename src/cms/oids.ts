// Object identifiers of the CMS structures and attributes pqsign writes and reads (RFC 5652, RFC 6211) and the
// time-stamp tokens they carry (RFC 3161, RFC 5816).
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
  /** RFC 3161 Appendix A: id-aa-timeStampToken, the unsigned attribute that holds a time-stamp token */
  timeStampToken: '1.2.840.113549.1.9.16.2.14',
  /** RFC 3161 §2.4.2: id-ct-TSTInfo, the eContentType of a time-stamp token */
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  /** RFC 2634 §5.4 (ESS): signingCertificate, SHA-1 ESSCertID */
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  /** RFC 5035 §3, RFC 5816: signingCertificateV2, ESSCertIDv2 with any hash */
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
} as const;
