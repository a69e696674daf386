// X.509 extension and key-purpose identifiers (RFC 5280 §4.2).
export const EXT = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
} as const;

/** CRL and CRL entry extensions (RFC 5280 §5.2, §5.3). */
export const CRL_EXT = {
  cRLNumber: '2.5.29.20',
  reasonCode: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  deltaCRLIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  certificateIssuer: '2.5.29.29',
  authorityKeyIdentifier: '2.5.29.35',
} as const;

/** RFC 5280 §4.2.1.12 */
export const KP = {
  codeSigning: '1.3.6.1.5.5.7.3.3',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  anyExtendedKeyUsage: '2.5.29.37.0',
} as const;

/** KeyUsage bit names in bit order (RFC 5280 §4.2.1.3). */
export const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsageName = (typeof KEY_USAGE_BITS)[number];

/** Extensions pqsign's path validation processes; any other critical extension fails validation (RFC 5280 §4.2). */
export const PROCESSED_EXTENSIONS: readonly string[] = [
  EXT.subjectKeyIdentifier,
  EXT.keyUsage,
  EXT.basicConstraints,
  EXT.authorityKeyIdentifier,
  EXT.extKeyUsage,
  EXT.subjectAltName,
];
