// The one interface every signature format implements. Architecture: a source streams once through
// the format's to-be-signed (TBS) bytes into μ; a signer turns μ into a signature; the format writes
// the container. A format never sees the signer, only its public key; it never holds the artifact
// in memory, only chunks as they stream past.
import type { ParamSet } from '../mldsa/params.js';
import type { CompositeAlg } from '../composite/params.js';
import type { PublicKey } from '../keys/spki.js';
import type { RemoteMuVerifier } from '../mldsa/signer.js';
import type { ChunkTransform } from '../io/transform.js';
import type { PathTrust } from '../pki/path-trust.js';

export interface ArtifactInfo {
  /** path as given by the user */
  path: string;
  size: number;
}

/**
 * A format's own options (`RawOptions`, `CoseOptions`, `CmsOptions`, ...): a plain object of strings,
 * booleans and string lists, so that resolved options survive JSON (offline requests store them).
 */
export type FormatOptions = object;

/** Options for the formats a verification may meet, by format name (e.g. `{ cms: { anyEku: true } }`). */
export type OptionsByFormat = Readonly<Record<string, FormatOptions>>;

/** What one option holds: a string, a boolean, or a list of strings. */
export type OptionKind = 'string' | 'boolean' | 'list';

/** The kind a property of type T has. */
export type OptionKindOf<T> = NonNullable<T> extends boolean ? 'boolean' : NonNullable<T> extends readonly string[] ? 'list' : 'string';

/** One option of a format, described so that front ends (the CLI's flags) and request checks need no format knowledge. */
export interface OptionSpec<K extends OptionKind = OptionKind> {
  kind: K;
  describe: string;
  /**
   * The operations a caller sets it for; empty for options only a format's resolvedOptions() produces
   * (e.g. the certificates an offline request carries).
   */
  for: ReadonlyArray<'sign' | 'verify'>;
}

/** Every option property of O described, its kind matching its type. */
export type OptionSpecs<O> = { readonly [P in keyof O & string]-?: OptionSpec<OptionKindOf<O[P]>> };

export interface SignRequest<O extends FormatOptions = FormatOptions> {
  artifact: ArtifactInfo;
  /** the ML-DSA parameter set (of the ML-DSA component, for a composite signer) */
  params: ParamSet;
  /** raw public key (the raw composite key for a composite signer) */
  publicKey: Uint8Array;
  /** set when the signer is composite (only formats with `composite: true` are asked) */
  composite?: CompositeAlg | undefined;
  /** ML-DSA context the user asked for (formats that fix their own context refuse a non-empty one) */
  context: Uint8Array;
  options: O;
}

export interface SignSession<O extends FormatOptions = FormatOptions> {
  /** the ML-DSA context string μ is computed with (a composite signer's ctx inside M') */
  readonly context: Uint8Array;
  /** TBS bytes before the artifact */
  head(): Uint8Array;
  /** turn one artifact chunk into TBS bytes via `emit` (identity for raw; may emit nothing, e.g. CMS digests) */
  update(chunk: Uint8Array, emit: (tbs: Uint8Array) => void): void;
  /** TBS bytes after the artifact (called once, after the last chunk) */
  tail(): Uint8Array;
  /**
   * The container around the signature. May be async: a CMS signature asks a time-stamp authority for a
   * token over the signature value here (`--tsa`), after signing and before anything is written.
   */
  container(signature: Uint8Array): ContainerLayout | Promise<ContainerLayout>;
  /**
   * Options that make a second beginSign over the same artifact produce the same TBS bytes
   * (e.g. the signing time CMS chose). Offline ceremonies (`tbs` / `attach`) store them.
   */
  resolvedOptions(): O;
  /**
   * Embedding formats whose prefix length is known before signing (signatures have a fixed length):
   * the artifact's bytes start at `offset` in the container and are either the artifact chunks
   * themselves ('artifact') or the TBS bytes update() emits for them ('tbs', e.g. base64url for JWS).
   * The core then writes the output during the one streaming pass, so the container holds exactly
   * the bytes that were signed. Without it, an embedding container is copied in a second read.
   * `relocatable`: the prefix may turn out longer than `offset` (a time-stamp token added to a CMS
   * SignerInfo after signing); the embedded bytes are then moved up within the output, never re-read
   * from the artifact.
   */
  readonly embedding?: { offset: number; source: 'artifact' | 'tbs'; relocatable?: boolean };
}

/** Output = prefix ‖ (artifact bytes, copied verbatim or through artifactTransform, if includeArtifact) ‖ suffix. */
export interface ContainerLayout {
  prefix: Uint8Array;
  includeArtifact: boolean;
  /** how the artifact is written, chunk by chunk (e.g. base64url for an attached JWS); default verbatim */
  artifactTransform?: ChunkTransform;
  suffix: Uint8Array;
}

export interface VerifyRequest<O extends FormatOptions = FormatOptions> extends PathTrust {
  /** the signature/container file */
  container: string;
  /** the detached payload, when the container does not embed it */
  payload: string | undefined;
  /** pinned key, when the caller has one: the signature must verify under it */
  key: PublicKey | undefined;
  /**
   * SHA-256 fingerprints of trusted keys not given as keys: a format whose container carries its own key or
   * certificate may verify with that key, which must have one of these fingerprints.
   */
  keyFingerprints: readonly string[];
  /** identity rules for a signer certificate that chained to an anchor (DER in); throws ERR_UNTRUSTED */
  signerCheck?: ((certificate: Uint8Array) => void) | undefined;
  /** where (μ, signature) is judged, e.g. KMS Verify; locally when absent */
  verifier?: RemoteMuVerifier | undefined;
  context: Uint8Array;
  options: O;
}

export interface VerifyResult {
  /** the ML-DSA parameter set (of the ML-DSA component, for a composite signature) */
  params: ParamSet;
  /** set when the signature that verified is composite (both parts checked) */
  composite?: CompositeAlg | undefined;
  /** SHA-256 fingerprint of the public key that verified */
  keyFingerprint: string;
  /** format-specific facts for --json (kid, signer cert, ...) */
  details: Record<string, unknown>;
}

/** A signature format; O is its options type. */
export interface Format<O extends FormatOptions = FormatOptions> {
  readonly name: string;
  /**
   * Can this format carry composite ML-DSA signatures (docs/hybrid.md)? Then its TBS bytes stream into
   * M' instead of μ, and `verify` gets composite keys; other formats never see one.
   */
  readonly composite?: boolean;
  /**
   * Its options, described (the CLI makes a flag of each: `contentType` → `--content-type`). A property name
   * means the same in every format that has it (e.g. `detached`, `at`).
   */
  readonly options?: OptionSpecs<O>;
  readonly description: string;
  /** default output suffix, e.g. ".sig" */
  readonly suffix: string;
  /** does the container carry the payload inside it? */
  embedsPayload(options: O): boolean;
  /** recognise a container by its first bytes (up to 64 KiB); raw cannot and returns false */
  detect(head: Uint8Array): boolean;
  beginSign(req: SignRequest<O>): Promise<SignSession<O>>;
  /** verify a container; throws PqsignError (ERR_SIGNATURE_INVALID for a bad signature) */
  verify(req: VerifyRequest<O>): Promise<VerifyResult>;
  /** structure facts for `pqsign inspect`, read without a key (algorithm, kid, sizes, offsets, ...) */
  inspect?(container: string): Promise<Record<string, unknown>>;
  /** embedding formats: where the original payload lies inside the container, for `pqsign strip` */
  payload?(container: string): Promise<PayloadLocation>;
}

/** The payload inside a container: a byte range, optionally decoded chunk by chunk (e.g. base64url). */
export interface PayloadLocation {
  start: number;
  end: number;
  transform?: ChunkTransform;
}
