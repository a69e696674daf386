// Building one ML-DSA (or composite ML-DSA) SignerInfo and its SignedData while the content streams past:
// the content feeds the digest only; signedAttributes() is the one small message that is signed (through μ,
// or M' with the empty ctx for a composite signer); the container is assembled around the signature afterwards. Reused by the `cms` format and by formats that embed a detached
// PKCS#7/CMS signature (e.g. UEFI's EFI_CERT_TYPE_PKCS7_GUID over payload ‖ MonotonicCount).
import { PqsignError } from '../base/errors.js';
import { equalBytes } from '../base/bytes.js';
import { computeMu } from '../mldsa/mu.js';
import type { ParamSet } from '../mldsa/params.js';
import type { CompositeAlg } from '../composite/params.js';
import { signMuChecked, type Signer } from '../mldsa/signer.js';
import { wholeSeconds } from '../asn1/time.js';
import { keyIdentifier } from '../pki/key-id.js';
import type { ParsedCertificate } from '../pki/certificate.js';
import { signingDigest, type Digest, type DigestAlgorithm } from './digests.js';
import type { SignerAlgorithm } from './algorithm-ids.js';
import { OID } from './oids.js';
import { encodeSignedAttributes } from './signed-attributes.js';
import { encodeSignerInfo, signedDataLayout, type SignerIdentifier } from './signed-data.js';
import { timeStampAttributes } from './unsigned-attributes.js';

export interface SignedDataOptions {
  params: ParamSet;
  /** the signer's raw public key (the raw composite key for a composite signer) */
  publicKey: Uint8Array;
  /** set for a composite signer: the SignerInfo is signed with this algorithm (draft-ietf-lamps-cms-composite-sigs) */
  composite?: CompositeAlg | undefined;
  /** content digest (default sha512); refused unless RFC 9882 Table 1 allows it for `params` (a composite's is its pre-hash) */
  digest?: string | undefined;
  /** certificates to embed, the signer's first; with them the signer is named by issuerAndSerialNumber */
  certificates?: readonly ParsedCertificate[] | undefined;
  /** signingTime attribute (truncated to whole seconds); default now; null leaves the attribute out */
  signingTime?: Date | null | undefined;
}

export class SignedDataBuilder {
  readonly digest: DigestAlgorithm;
  readonly signingTime: Date | undefined;
  readonly sid: SignerIdentifier;
  private readonly hash: Digest;
  private contentBytes = 0;
  private attrs: Uint8Array | undefined;

  constructor(private readonly opts: SignedDataOptions) {
    this.digest = signingDigest(opts.params, opts.digest, opts.composite);
    this.hash = this.digest.create();
    this.signingTime = opts.signingTime === null ? undefined : wholeSeconds(opts.signingTime ?? new Date());
    const signerCert = opts.certificates?.[0];
    if (signerCert) {
      const k = signerCert.publicKey ?? signerCert.compositeKey;
      if (!k || k.params !== opts.params || k.composite !== opts.composite || !equalBytes(k.publicKey, opts.publicKey)) {
        throw new PqsignError('ERR_KEY_MISMATCH', `the certificate "${signerCert.subject}" is not for the signing key`);
      }
      this.sid = { kind: 'issuerAndSerialNumber', issuerDer: signerCert.issuerDer, serial: signerCert.serial };
    } else {
      this.sid = { kind: 'subjectKeyIdentifier', keyId: keyIdentifier(opts.publicKey) };
    }
  }

  /** feed content bytes (in order) */
  update(chunk: Uint8Array): void {
    if (this.attrs) throw new Error('SignedDataBuilder: update after signedAttributes()');
    this.hash.update(chunk);
    this.contentBytes += chunk.length;
  }

  /** the certificates embedded, signer's first */
  get certificates(): readonly ParsedCertificate[] {
    return this.opts.certificates ?? [];
  }

  /** how many content bytes were fed */
  get size(): number {
    return this.contentBytes;
  }

  /** DER(SignedAttributes) with the SET OF tag: the message signed (RFC 9882 §3.2; M of a composite). Ends the content. */
  signedAttributes(): Uint8Array {
    this.attrs ??= this.encodeAttributes(this.hash.digest());
    return this.attrs;
  }

  /**
   * The length of detached(signature), known before any content streams (see placeholderParts): the
   * shortest signature's ('min', the default) or the longest's. For containers whose header holds it.
   */
  detachedBytes(which: 'min' | 'max' = 'min'): number {
    return signedDataLayout(this.placeholderParts(which)).prefix.length;
  }

  /**
   * Where the content starts in attached(signature) for `contentSize` content bytes, known before any
   * content streams (see placeholderParts), so the content can be written while it is digested. With
   * the shortest signature: a longer one can only move the content up (signatureLengthVaries).
   */
  attachedOffset(contentSize: number): number {
    return signedDataLayout(this.placeholderParts('min'), contentSize).prefix.length;
  }

  /**
   * Does the signature's length depend on its value? An ML-DSA signature has one length per parameter
   * set; a composite's ECDSA part is DER and varies by a few bytes, so the container may grow after signing.
   */
  get signatureLengthVaries(): boolean {
    return this.signatureBytes('min') !== this.signatureBytes('max');
  }

  private signatureBytes(which: 'min' | 'max'): number {
    const c = this.opts.composite;
    if (!c) return this.opts.params.signatureBytes;
    return which === 'max' ? c.maxSignatureBytes : c.minSignatureBytes;
  }

  /**
   * Parts with the final lengths and placeholder values: the signature's shortest or longest length, and
   * the signed attributes' length does not depend on the digest's value (only on its algorithm and the
   * signing time, both fixed by now).
   */
  private placeholderParts(which: 'min' | 'max') {
    const attrs = this.attrs ?? this.encodeAttributes(new Uint8Array(this.digest.bytes));
    return this.parts(new Uint8Array(this.signatureBytes(which)), attrs);
  }

  private encodeAttributes(messageDigest: Uint8Array): Uint8Array {
    return encodeSignedAttributes({
      contentType: OID.data,
      messageDigest,
      signingTime: this.signingTime,
      digest: this.digest,
      params: this.signerAlgorithm,
    });
  }

  /** the SignerInfo's signatureAlgorithm */
  get signerAlgorithm(): SignerAlgorithm {
    return this.opts.composite ?? this.opts.params;
  }

  private parts(signature: Uint8Array, signedAttributes = this.signedAttributes(), tokens: readonly Uint8Array[] = []) {
    const unsigned = tokens.length ? timeStampAttributes(tokens) : undefined;
    return {
      digest: this.digest,
      sid: this.sid,
      certificates: this.certificates.map((c) => c.der),
      signerInfo: encodeSignerInfo(this.sid, this.digest, signedAttributes, this.signerAlgorithm, signature, unsigned),
    };
  }

  /**
   * ContentInfo(SignedData) DER without the content (detached, eContent absent). `tokens`: RFC 3161
   * time-stamp tokens over `signature`, as the unsigned attribute id-aa-timeStampToken.
   */
  detached(signature: Uint8Array, tokens: readonly Uint8Array[] = []): Uint8Array {
    return signedDataLayout(this.parts(signature, undefined, tokens)).prefix;
  }

  /**
   * ContentInfo(SignedData) embedding the content: write prefix ‖ the content bytes ‖ suffix. With `tokens`
   * the prefix's outer lengths grow, and its own length may too (see attachedOffset).
   */
  attached(signature: Uint8Array, tokens: readonly Uint8Array[] = []): { prefix: Uint8Array; suffix: Uint8Array } {
    return signedDataLayout(this.parts(signature, undefined, tokens), this.contentBytes);
  }
}

/**
 * A detached ContentInfo(SignedData) over in-memory content parts, signed by any Signer (local or KMS)
 * through external μ and checked against the signer's public key before it is returned. The DER starts
 * `30 82 LL LL 06 09 2A 86 48 86 F7 0D 01 07 02 A0 82 LL LL` whenever it is 256..65535 bytes long.
 */
export async function buildDetachedSignedData(
  signer: Signer,
  content: readonly Uint8Array[],
  opts: Omit<SignedDataOptions, 'params' | 'publicKey' | 'composite'> = {},
): Promise<Uint8Array> {
  const b = new SignedDataBuilder({ ...opts, params: signer.params, publicKey: signer.publicKey });
  for (const part of content) b.update(part);
  const message = b.signedAttributes();
  const signature = await signMuChecked(signer, computeMu(signer.params, signer.publicKey, message));
  return b.detached(signature);
}
