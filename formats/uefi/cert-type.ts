// What one UEFI CertType family implements (the table of them is cert-types.ts).
import type { VerifyResult } from '../../src/pipeline/format.js';
import type { CmsSignerOptions, CmsVerifierOptions } from '../../src/cms/options.js';
import type { PublicKey } from '../../src/keys/spki.js';
import type { ParamSet } from '../../src/mldsa/params.js';
import type { CompositeAlg } from '../../src/composite/params.js';
import type { RemoteMuVerifier } from '../../src/mldsa/signer.js';
import type { MessagePart } from '../../src/mldsa/stream.js';
import type { PathTrust } from '../../src/pki/path-trust.js';

/** The uefi format's options: the count, the CertType, and for the pkcs7 CertType the CMS ones. */
export interface UefiOptions extends CmsSignerOptions, CmsVerifierOptions {
  /** MonotonicCount, UINT64: decimal or 0x hex text, or a bigint (required to sign) */
  monotonicCount?: string | bigint | undefined;
  /** the CertType: mldsa or pkcs7 (default pkcs7 with certificates, else mldsa) */
  uefiCertType?: string | undefined;
}

export interface CertTypeSignRequest {
  params: ParamSet;
  publicKey: Uint8Array;
  /** set for a composite signer; a CertType that cannot carry one refuses it */
  composite?: CompositeAlg | undefined;
  /** the --context the user gave (a CertType that fixes its own refuses a non-empty one) */
  context: Uint8Array;
  /** the format's options, or the resolved options of an offline request */
  options: UefiOptions;
  /** bytes of the signed message payload ‖ MonotonicCount */
  messageBytes: number;
}

/** Turns the signed message into TBS bytes while it streams, then the signature into CertData. */
export interface CertTypeSession {
  /** AuthInfo.CertType as serialized */
  readonly certType: Uint8Array;
  /** the ML-DSA context string μ is computed with */
  readonly context: Uint8Array;
  /** |CertData|, known before anything is signed: the header (dwLength) is laid out from it */
  readonly certDataBytes: number;
  /** CertData may end up longer than certDataBytes (a time-stamp token added after signing) */
  readonly certDataMayGrow?: boolean;
  head(): Uint8Array;
  /** one piece of the signed message (payload chunks, then the 8 count bytes) */
  update(chunk: Uint8Array, emit: (tbs: Uint8Array) => void): void;
  tail(): Uint8Array;
  certData(signature: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** options that make a second beginSign produce the same TBS bytes (e.g. a CMS signing time) */
  resolvedOptions(): UefiOptions;
}

export interface CertTypeVerifyRequest extends PathTrust {
  file: string;
  certType: Uint8Array;
  certData: Uint8Array;
  /** where CertData starts in `file` */
  certDataOffset: number;
  /** the signed message: the payload range of the image, then the count bytes */
  message: MessagePart[];
  /** --key, when given */
  key: PublicKey | undefined;
  keyFingerprints: readonly string[];
  signerCheck?: ((certificate: Uint8Array) => void) | undefined;
  verifier?: RemoteMuVerifier | undefined;
  options: UefiOptions;
}

export interface CertTypeHandler {
  /** the --uefi-cert-type value */
  readonly name: string;
  readonly description: string;
  /** is this CertType GUID ours? */
  recognises(certType: Uint8Array): boolean;
  beginSign(req: CertTypeSignRequest): Promise<CertTypeSession>;
  /**
   * Structure facts of CertData for `inspect` (offsets absolute: CertData starts at `certDataOffset`);
   * throws ERR_SIGNATURE_FORMAT when CertData is malformed.
   */
  inspect(certType: Uint8Array, certData: Uint8Array, file: string, certDataOffset: number): Promise<Record<string, unknown>>;
  /** check CertData against the signed message; throws ERR_SIGNATURE_INVALID when it does not verify */
  verify(req: CertTypeVerifyRequest): Promise<VerifyResult>;
}
