// Where a SignedData lies. Its own module, free of asn1js types, because verifyCms's declaration (reached
// by the public API through the cms format's options) names it.

/** Where a SignedData lies: a whole file, or a byte range of one (e.g. the CertData of a UEFI image). */
export type CmsSource = string | { path: string; start: number; end: number };
