// The CMS options shared by every container that embeds a SignedData (the `cms` format, UEFI's PKCS#7
// CertType). Signer side: --cert/--chain/--digest/--signing-time as parsed argv, or the resolved options an
// offline ceremony stored; resolved options carry the certificates themselves (base64 DER), so a request
// can be completed on another machine without the certificate files. Verifier side: --trust-anchor, --at,
// --any-eku.
import { PqsignError } from '../errors.js';
import { fromB64 } from '../bytes.js';
import { parseTimeOption } from '../asn1/time.js';
import type { ParamSet } from '../params.js';
import { readCertificates } from '../pki/cert-file.js';
import { parseCertificate, type ParsedCertificate } from '../pki/certificate.js';
import { SignedDataBuilder } from './builder.js';
import type { CmsVerifyOptions } from './verify.js';

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

export async function signedDataBuilderFor(params: ParamSet, publicKey: Uint8Array, o: Options): Promise<SignedDataBuilder> {
  const time = single(o.signingTime, 'signing-time');
  return new SignedDataBuilder({
    params, publicKey,
    digest: single(o.digest, 'digest'),
    certificates: await certificatesFrom(o),
    signingTime: time === undefined ? undefined : parseTimeOption(time, '--signing-time'),
  });
}

/** Options that rebuild the same signed attributes and certificates with signedDataBuilderFor. */
export const resolvedSignerOptions = (b: SignedDataBuilder): Options => ({
  digest: b.digest.name,
  ...(b.signingTime ? { signingTime: b.signingTime.toISOString() } : {}),
  ...(b.certificates.length ? { certificates: b.certificates.map((c) => Buffer.from(c.der).toString('base64')) } : {}),
});

/** The trust anchors the caller resolved (DER), --at and --any-eku as verifyCms takes them. */
export function verifierOptionsFor(o: Options, anchors: readonly Uint8Array[]): Pick<CmsVerifyOptions, 'trustAnchors' | 'at' | 'anyEku'> {
  const trustAnchors = anchors.map((der, i) => parseCertificate(der, `trust anchor #${i + 1}`));
  const time = single(o.at, 'at');
  return { trustAnchors, at: time === undefined ? undefined : parseTimeOption(time, '--at'), anyEku: o.anyEku === true };
}
