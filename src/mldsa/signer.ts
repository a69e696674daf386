// The signer seam: a signer turns μ into a signature and never sees the artifact.
import { PqsignError, opt } from '../base/errors.js';
import { verifyMu, signMu } from './mldsa.js';
import { computeMu } from './mu.js';
import type { ParamSet } from './params.js';
import type { PrivateKey } from './keys.js';

/**
 * The signer seam: something that turns μ (FIPS 204 external μ, 64 bytes) into an ML-DSA signature. A
 * local key, a KMS key or an HSM behind a plugin's key scheme all look like this; the core computes μ
 * from the artifact and checks every signature against `publicKey` before anything is written.
 */
export interface Signer {
  readonly params: ParamSet;
  /** raw FIPS 204 public key */
  readonly publicKey: Uint8Array;
  /** human description for messages (never secret material) */
  readonly description: string;
  /** sign a 64-byte external μ */
  signMu(mu: Uint8Array): Promise<Uint8Array>;
  /**
   * Optional: sign a small message directly (pure ML-DSA with empty context), for back-ends that
   * must see the message (KMS MessageType RAW). The core only uses it when asked to.
   */
  signMessage?(message: Uint8Array): Promise<Uint8Array>;
  /**
   * Optional: check permissions, key state and parameters without signing (KMS DryRun), for the
   * message type a run would use.
   */
  dryRun?(messageType: 'mu' | 'raw'): Promise<void>;
  /** release connections and the like */
  close?(): Promise<void>;
}

/**
 * Something other than this process that judges (μ, signature), e.g. KMS Verify for `verify --kms`. Passed
 * explicitly in a verify request; without one, signatures are checked locally.
 */
export interface RemoteMuVerifier {
  verifyMu(params: ParamSet, publicKey: Uint8Array, mu: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

/** Judge (μ, signature) with `remote` when given, else locally. */
export const checkMu = async (
  params: ParamSet,
  publicKey: Uint8Array,
  mu: Uint8Array,
  signature: Uint8Array,
  remote?: RemoteMuVerifier,
): Promise<boolean> => (remote ? remote.verifyMu(params, publicKey, mu, signature) : verifyMu(params, publicKey, mu, signature));

export class LocalSigner implements Signer {
  readonly params: ParamSet;
  readonly publicKey: Uint8Array;
  readonly description: string;

  constructor(
    private readonly key: PrivateKey,
    private readonly opts: { deterministic?: boolean; description?: string } = {},
  ) {
    this.params = key.params;
    this.publicKey = key.publicKey;
    this.description = opts.description ?? `local ${key.params.name} key`;
  }

  async signMu(mu: Uint8Array): Promise<Uint8Array> {
    return signMu(this.params, this.key.secretKey, mu, { deterministic: this.opts.deterministic });
  }
}

/** Sign μ and verify the result against the signer's public key before anyone writes it. */
export async function signMuChecked(signer: Signer, mu: Uint8Array): Promise<Uint8Array> {
  const sig = await signer.signMu(mu);
  return checkSignature(signer, mu, sig);
}

export function checkSignature(signer: Signer, mu: Uint8Array, sig: Uint8Array): Uint8Array {
  if (sig.length !== signer.params.signatureBytes) {
    throw new PqsignError(
      'ERR_SIGNER',
      `${signer.description} returned a ${sig.length}-byte signature; ${signer.params.name} signatures are ${signer.params.signatureBytes} bytes`,
    );
  }
  if (!verifyMu(signer.params, signer.publicKey, mu, sig)) {
    throw new PqsignError(
      'ERR_SIGNER',
      `${signer.description} returned a signature that does not verify against its public key; nothing was written`,
    );
  }
  return sig;
}

/** KMS RAW messages are at most 4096 bytes. */
export const RAW_MESSAGE_MAX = 4096;

export const rawMessageTooBig = (n: number, file?: string) =>
  new PqsignError(
    'ERR_USAGE',
    `${opt('messageType', 'raw')} allows at most ${RAW_MESSAGE_MAX} bytes to sign, this is ${n}; use the default external μ`,
    file === undefined ? {} : { file },
  );

/** Refuse `--message-type raw` before any work for signers that sign only μ (local keys). */
export function checkRawSigner(signer: Signer): asserts signer is Signer & Required<Pick<Signer, 'signMessage'>> {
  if (!signer.signMessage)
    throw new PqsignError('ERR_USAGE', `${opt('messageType', 'raw')} is not supported by ${signer.description}`, { option: 'messageType' });
}

/** Hand a small message itself to the signer (KMS RAW: pure ML-DSA, empty context) and verify the result before anyone writes it. */
export async function signMessageChecked(signer: Signer, message: Uint8Array): Promise<Uint8Array> {
  checkRawSigner(signer);
  if (message.length > RAW_MESSAGE_MAX) throw rawMessageTooBig(message.length);
  const sig = await signer.signMessage(message);
  return checkSignature(signer, computeMu(signer.params, signer.publicKey, message), sig);
}
