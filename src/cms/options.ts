// The CMS options shared by every container that embeds a SignedData (the `cms` format, UEFI's PKCS#7
// CertType). Signer side: cert/chain/digest/signingTime, or the resolved options an offline ceremony
// stored; resolved options carry the certificates themselves (base64 DER), so a request can be completed
// on another machine without the certificate files; tsa. Verifier side: the path trust (anchors, TSA
// anchors, trusted signingTime, CRLs), at, anyEku.
import { PqsignError, opt } from '../base/errors.js';
import { fromB64 } from '../base/bytes.js';
import { parseTimeOption } from '../asn1/time.js';
import type { PublicKey } from '../keys/spki.js';
import { readCertificates } from '../pki/cert-file.js';
import { parseCertificate, type ParsedCertificate } from '../pki/certificate.js';
import { parseCrl } from '../pki/crl.js';
import { SignedDataBuilder } from './builder.js';
import type { CmsVerifyOptions } from './verify.js';
import type { PathTrust } from '../pki/path-trust.js';

/** How a SignedData is signed. */
export interface CmsSignerOptions {
  /** signer certificate file (PEM or DER), embedded; the signer is named by issuer and serial */
  cert?: string | undefined;
  /** further certificate files to embed, e.g. intermediates */
  chain?: readonly string[] | undefined;
  /** the embedded certificates themselves, base64 DER, signer first (resolved options; instead of cert/chain) */
  certificates?: readonly string[] | undefined;
  /** content digest: sha512 (default), shake256, sha384, sha256, sha3-*; must suit the parameter set (RFC 9882) */
  digest?: string | undefined;
  /** signingTime attribute, ISO 8601 (default now) */
  signingTime?: string | undefined;
  /** RFC 3161 time-stamp authority URL (http:// or https://): the signature value is time-stamped */
  tsa?: string | undefined;
  /** hash of the time-stamp request: sha512 (default), sha384, sha256, sha3-* */
  tsaDigest?: string | undefined;
}

/** How a SignedData is verified, besides the path trust. */
export interface CmsVerifierOptions {
  /** validate as if now were this time, ISO 8601 (certificates without a trusted time-stamp, CRL freshness) */
  at?: string | undefined;
  /** accept a signer certificate without extendedKeyUsage codeSigning */
  anyEku?: boolean | undefined;
}

async function certificatesFrom(o: CmsSignerOptions): Promise<ParsedCertificate[]> {
  const { cert } = o;
  const chain = o.chain ?? [];
  if (o.certificates !== undefined) {
    if (cert || chain.length)
      throw new PqsignError('ERR_USAGE', 'give cert/chain or resolved "certificates", not both', { option: 'certificates' });
    return o.certificates.map((b64, i) => parseCertificate(fromB64(b64, `certificates[${i}]`), `certificates[${i}]`));
  }
  if (!cert) {
    if (chain.length)
      throw new PqsignError('ERR_USAGE', `${opt('chain')} needs ${opt('cert')} (the signer certificate)`, { option: 'chain' });
    return [];
  }
  const certs = await readCertificates(cert, 'signer certificate');
  for (const c of chain) for (const cert of await readCertificates(c, 'chain certificate')) certs.push(cert);
  return certs;
}

/** The builder for the signer's key (ML-DSA or composite) and the signer-side options. */
export async function signedDataBuilderFor(key: PublicKey, o: CmsSignerOptions): Promise<SignedDataBuilder> {
  const time = o.signingTime;
  return new SignedDataBuilder({
    params: key.params,
    publicKey: key.publicKey,
    composite: key.composite,
    digest: o.digest,
    certificates: await certificatesFrom(o),
    signingTime: time === undefined ? undefined : parseTimeOption(time, opt('signingTime')),
  });
}

/**
 * --tsa URL [--tsa-digest NAME]: a function that asks the TSA for a checked token over a signature value
 * (RFC 3161 Appendix A), or undefined without --tsa. The URL and digest are checked now, before signing.
 */
export async function timestamperFor(o: CmsSignerOptions): Promise<((signature: Uint8Array) => Promise<Uint8Array>) | undefined> {
  const url = o.tsa;
  const digest = o.tsaDigest;
  if (url === undefined) {
    if (digest !== undefined) throw new PqsignError('ERR_USAGE', `${opt('tsaDigest')} goes with ${opt('tsa')}`, { option: 'tsaDigest' });
    return undefined;
  }
  const { requestTimestamp, tsaDigest, tsaUrl } = await import('./tsp/client.js');
  const tsa = { url: tsaUrl(url), digest: tsaDigest(digest).name };
  return async (signature) => (await requestTimestamp(signature, tsa)).der;
}

/** Options that rebuild the same signed attributes and certificates with signedDataBuilderFor (never --tsa: a token is not signed). */
export const resolvedSignerOptions = (b: SignedDataBuilder): CmsSignerOptions => ({
  digest: b.digest.name,
  ...(b.signingTime ? { signingTime: b.signingTime.toISOString() } : {}),
  ...(b.certificates.length ? { certificates: b.certificates.map((c) => Buffer.from(c.der).toString('base64')) } : {}),
});

/** The path trust the caller resolved (DER), --at and --any-eku as verifyCms takes them. */
export function verifierOptionsFor(
  o: CmsVerifierOptions,
  trust: PathTrust,
): Pick<CmsVerifyOptions, 'trustAnchors' | 'tsaAnchors' | 'trustSigningTime' | 'crls' | 'at' | 'anyEku'> {
  const trustAnchors = trust.trustAnchors.map((der, i) => parseCertificate(der, `trust anchor #${i + 1}`));
  const tsaAnchors = (trust.tsaAnchors ?? []).map((der, i) => parseCertificate(der, `TSA anchor #${i + 1}`));
  const crls = trust.crls?.length ? trust.crls.map((der, i) => parseCrl(der, `CRL #${i + 1}`)) : undefined;
  const time = o.at;
  return {
    trustAnchors,
    tsaAnchors,
    trustSigningTime: trust.trustSigningTime === true,
    crls,
    at: time === undefined ? undefined : parseTimeOption(time, opt('at')),
    anyEku: o.anyEku === true,
  };
}
