// The CMS options of every format that writes a SignedData (cms, and uefi with the pkcs7 CertType), described
// once: one name, one meaning, one description (src/cms/options.ts has their types and what they do).
import type { CmsSignerOptions, CmsVerifierOptions } from '../src/cms/options.js';
import type { OptionSpecs } from '../src/pipeline/format.js';

export const CMS_SIGNER_OPTIONS: OptionSpecs<CmsSignerOptions> = {
  cert: {
    kind: 'string',
    describe: 'cms, uefi pkcs7: signer certificate (embedded; signer named by issuer and serial), PEM or DER',
    for: ['sign'],
  },
  chain: { kind: 'list', describe: 'cms, uefi pkcs7: further certificate(s) to embed, e.g. intermediates (repeatable)', for: ['sign'] },
  certificates: { kind: 'list', describe: "the embedded certificates, base64 DER (an offline request's resolved options)", for: [] },
  digest: {
    kind: 'string',
    describe:
      "cms, uefi pkcs7: content digest, sha512 (default) | shake256 | sha384 | sha256 | sha3-*; must suit the parameter set (RFC 9882; a composite's is its pre-hash)",
    for: ['sign'],
  },
  signingTime: { kind: 'string', describe: 'cms, uefi pkcs7: signingTime attribute, ISO 8601 (default now)', for: ['sign'] },
  tsa: {
    kind: 'string',
    describe: 'cms, uefi pkcs7: time-stamp the signature at this RFC 3161 TSA (http:// or https:// URL)',
    for: ['sign'],
  },
  tsaDigest: {
    kind: 'string',
    describe: 'cms, uefi pkcs7: hash of the time-stamp request, sha512 (default) | sha384 | sha256 | sha3-*',
    for: ['sign'],
  },
};

export const CMS_VERIFIER_OPTIONS: OptionSpecs<CmsVerifierOptions> = {
  at: {
    kind: 'string',
    describe: 'cms, uefi pkcs7: verify as if now were this time (certificates without a trusted time-stamp, CRL freshness)',
    for: ['verify'],
  },
  anyEku: {
    kind: 'boolean',
    describe: 'cms, uefi pkcs7: accept a signer certificate without extendedKeyUsage codeSigning',
    for: ['verify'],
  },
};
