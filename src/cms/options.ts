// The CMS options shared by every container that embeds a SignedData (the `cms` format, UEFI's PKCS#7
// CertType). Signer side: --cert/--chain/--digest/--signing-time as parsed argv, or the resolved options an
// offline ceremony stored; resolved options carry the certificates themselves (base64 DER), so a request
// can be completed on another machine without the certificate files; --tsa. Verifier side: the path trust
// (anchors, TSA anchors, trusted signingTime, CRLs), --at, --any-eku.
import { PqsignError } from '../base/errors.js';
import { fromB64 } from '../base/bytes.js';
import { parseTimeOption } from '../asn1/time.js';
import type { PublicKey } from '../keys/spki.js';
import { readCertificates } from '../pki/cert-file.js';
import { parseCertificate, type ParsedCertificate } from '../pki/certificate.js';
import { parseCrl } from '../pki/crl.js';
import { SignedDataBuilder } from './builder.js';
import type { CmsVerifyOptions } from './verify.js';
import type { PathTrust } from '../pki/path-trust.js';

type Options = Record<string, unknown>;

/** A repeatable flag as a list. */
export const list = (v: unknown): string[] => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map(String));

/** A flag given once (yargs turns a repeated string flag into an array). */
export function single(v: unknown, flag: string): string | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) throw new PqsignError('ERR_USAGE', `--${flag} is given more than once`);
  return String(v);
}

async function certificatesFrom(o: Options): Promise<ParsedCertificate[]> {
  const cert = single(o.cert, 'cert');
  const chain = list(o.chain);
  if (o.certificates !== undefined) {
    if (cert || chain.length) throw new PqsignError('ERR_USAGE', 'give --cert/--chain or resolved "certificates", not both');
    return list(o.certificates).map((b64, i) => parseCertificate(fromB64(b64, `certificates[${i}]`), `certificates[${i}]`));
  }
  if (!cert) {
    if (chain.length) throw new PqsignError('ERR_USAGE', '--chain needs --cert (the signer certificate)');
    return [];
  }
  const certs = await readCertificates(cert, 'signer certificate');
  for (const c of chain) for (const cert of await readCertificates(c, 'chain certificate')) certs.push(cert);
  return certs;
}

/** The builder for the signer's key (ML-DSA or composite) and the signer-side options. */
export async function signedDataBuilderFor(key: PublicKey, o: Options): Promise<SignedDataBuilder> {
  const time = single(o.signingTime, 'signing-time');
  return new SignedDataBuilder({
    params: key.params, publicKey: key.publicKey, composite: key.composite,
    digest: single(o.digest, 'digest'),
    certificates: await certificatesFrom(o),
    signingTime: time === undefined ? undefined : parseTimeOption(time, '--signing-time'),
  });
}

/**
 * --tsa URL [--tsa-digest NAME]: a function that asks the TSA for a checked token over a signature value
 * (RFC 3161 Appendix A), or undefined without --tsa. The URL and digest are checked now, before signing.
 */
export async function timestamperFor(o: Options): Promise<((signature: Uint8Array) => Promise<Uint8Array>) | undefined> {
  const url = single(o.tsa, 'tsa');
  const digest = single(o.tsaDigest, 'tsa-digest');
  if (url === undefined) {
    if (digest !== undefined) throw new PqsignError('ERR_USAGE', '--tsa-digest goes with --tsa');
    return undefined;
  }
  const { requestTimestamp, tsaDigest, tsaUrl } = await import('./tsp/client.js');
  const tsa = { url: tsaUrl(url), digest: tsaDigest(digest).name };
  return async (signature) => (await requestTimestamp(signature, tsa)).der;
}

/** Options that rebuild the same signed attributes and certificates with signedDataBuilderFor (never --tsa: a token is not signed). */
export const resolvedSignerOptions = (b: SignedDataBuilder): Options => ({
  digest: b.digest.name,
  ...(b.signingTime ? { signingTime: b.signingTime.toISOString() } : {}),
  ...(b.certificates.length ? { certificates: b.certificates.map((c) => Buffer.from(c.der).toString('base64')) } : {}),
});

/** The path trust the caller resolved (DER), --at and --any-eku as verifyCms takes them. */
export function verifierOptionsFor(o: Options, trust: PathTrust): Pick<CmsVerifyOptions, 'trustAnchors' | 'tsaAnchors' | 'trustSigningTime' | 'crls' | 'at' | 'anyEku'> {
  const trustAnchors = trust.trustAnchors.map((der, i) => parseCertificate(der, `trust anchor #${i + 1}`));
  const tsaAnchors = (trust.tsaAnchors ?? []).map((der, i) => parseCertificate(der, `TSA anchor #${i + 1}`));
  const crls = trust.crls?.length ? trust.crls.map((der, i) => parseCrl(der, `CRL #${i + 1}`)) : undefined;
  const time = single(o.at, 'at');
  return {
    trustAnchors, tsaAnchors, trustSigningTime: trust.trustSigningTime === true, crls,
    at: time === undefined ? undefined : parseTimeOption(time, '--at'), anyEku: o.anyEku === true,
  };
}
