/**
 * pqsign as a library: post-quantum code signing with ML-DSA (FIPS 204) in-process.
 *
 * - {@link sign}, {@link verify}, {@link inspect}: the CLI's sign / verify / inspect for one input, which
 *   may be a path, bytes or a stream.
 * - Keys: {@link generateKeyPair}, {@link loadKey}, {@link loadPublicKey}, {@link encodePrivateKey},
 *   {@link encodePublicKey}, {@link keyFingerprint}.
 * - Signers: the {@link Signer} seam, {@link loadSigner} for key references, {@link signerFromKey},
 *   {@link CompositeSigner}. KMS keys are in `pqsign/kms`; `awskms://` references work here too and load
 *   the AWS SDK only when used.
 * - Formats: the {@link Format} contract, {@link registerFormat} / {@link registerPlugin} /
 *   {@link registerKeyScheme} for third-party formats and key schemes, the built-in format objects, and
 *   the streaming helpers formats are made of.
 * - Errors: everything a caller can act on is a {@link PqsignError} with a stable {@link ErrorCode}.
 *
 * Importing `pqsign` registers the built-in formats and the lazy `awskms://` key scheme; it loads no
 * AWS SDK, ASN.1 or CBOR library until a call needs one. docs/api.md is the guide.
 * @packageDocumentation
 */
import './builtins.js';
import '../src/kms/register.js';
import { loadAnySigner, loadPublicKey as loadPublicKeyRef, type KeyRefOptions } from '../src/pipeline/keyref.js';
import type { PublicKey } from '../src/keys/spki.js';
import type { Signer } from '../src/mldsa/signer.js';
import type { CompositeSigner } from '../src/composite/signer.js';

// ---- operations ----
export { sign, type SignOptions, type SignOutput } from './sign.js';
export { verify, inspect, type VerifyOptions, type VerifyOutcome, type Inspection } from './verify.js';
export type { TrustOptions, DerInput } from './trust-options.js';
export type { ContainerReport } from '../src/pipeline/verify.js';
export type { ArtifactInput, WebByteStream } from '../src/io/source.js';

// ---- keys ----
export {
  generateKeyPair,
  publicKeyOf,
  encodePrivateKey,
  encodePublicKey,
  loadKey,
  signerFromKey,
  keyFingerprint,
  type KeyPair,
  type AnyPrivateKey,
  type PrivateKeyEncoding,
  type PublicKeyEncoding,
  type CompositeAlg,
  type CompositePrivateKey,
  type LoadedKey,
  type LoadOptions,
  type EncodeOptions,
  type PrivateKey,
  type PublicKey,
} from './keys.js';

/**
 * The public key a reference names: a public or private key file, a certificate, a JWK / COSE_Key, or a URI
 * of a registered key scheme (`awskms://…`). Composite keys are accepted.
 */
export const loadPublicKey = (ref: string, opts: KeyRefOptions = {}): Promise<PublicKey> =>
  loadPublicKeyRef(ref, opts, { composite: true });

/**
 * A signer for a key reference: a private key file (ML-DSA or composite), a two-part composite key
 * (`mldsa.pem+ec.pem`), or a URI of a registered key scheme (`awskms://…`). Close it when done.
 */
export const loadSigner = (ref: string, opts: KeyRefOptions = {}): Promise<Signer | CompositeSigner> => loadAnySigner(ref, opts);

// ---- signers ----
export { LocalSigner, type Signer, type RemoteMuVerifier } from '../src/mldsa/signer.js';
export { CompositeSigner, isCompositeSigner, type TraditionalSigner, type RemoteTradKey } from '../src/composite/signer.js';
export type { KeyScheme, KeyRefOptions } from '../src/pipeline/keyref.js';

// ---- formats and plugins ----
export {
  registerFormat,
  registerPlugin,
  loadPlugin,
  registeredFormats,
  formatByName,
  type PqsignPlugin,
} from '../src/pipeline/registry.js';
export { registerKeyScheme } from '../src/pipeline/keyref.js';
export type {
  Format,
  SignSession,
  SignRequest,
  VerifyRequest,
  VerifyResult,
  ContainerLayout,
  ArtifactInfo,
  FormatOptions,
  OptionsByFormat,
  OptionKind,
  OptionKindOf,
  OptionSpec,
  OptionSpecs,
  PayloadLocation,
} from '../src/pipeline/format.js';
export type { PathTrust } from '../src/pki/path-trust.js';
export { raw, type RawOptions } from '../formats/raw.js';
export { cose, type CoseOptions } from '../formats/cose.js';
export { jws, type JwsOptions } from '../formats/jws.js';
export { cms, type CmsOptions } from '../formats/cms.js';
export { uefi } from '../formats/uefi/index.js';
export type { UefiOptions } from '../formats/uefi/cert-type.js';
export type { HeaderOptions } from '../formats/shared.js';

// ---- building blocks for formats: parameter sets, streaming μ, bounded reads ----
export {
  PARAM_SETS,
  DEFAULT_PARAM,
  paramByName,
  paramBySignatureLength,
  MAX_CONTEXT_BYTES,
  type ParamSet,
  type ParamName,
  type KmsKeySpec,
} from '../src/mldsa/params.js';
export type { KeyForm } from '../src/mldsa/keys.js';
export { COMPOSITE_ALGS, compositeByName, type CompositeName, type Traditional } from '../src/composite/params.js';
export type { CompositePublicKey } from '../src/composite/keys.js';
export { muOfParts, verifyStreamed, feedParts, type MessagePart } from '../src/mldsa/stream.js';
export { MuHasher, computeMu } from '../src/mldsa/mu.js';
export { checkMu } from '../src/mldsa/signer.js';
export { verifyMu } from '../src/mldsa/mldsa.js';
export { readRange } from '../src/io/range.js';
export { readChunks, readSmallFile, statInput, type ReadOptions } from '../src/io/read.js';
export type { ChunkTransform } from '../src/io/transform.js';

// ---- errors ----
export { PqsignError, isPqsignError, ERROR_CODES, type ErrorCode, type PqsignErrorOptions } from '../src/base/errors.js';

// ---- settings and callbacks: the library never reads the environment or draws on a terminal ----
export { setMlDsaBackend, BACKEND_CHOICES, type BackendChoice } from '../src/mldsa/mldsa.js';
export type { ProgressEvent, OnProgress } from '../src/io/progress.js';
export type { PassphraseCallback } from '../src/keys/passphrase.js';
