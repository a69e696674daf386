// A composite signer from two parts: an ML-DSA Signer (a local key or a KMS key, signing external μ)
// and a traditional signer (a local key or a KMS ECDSA key, signing M'). Both see only M' or μ, never the
// artifact. Every signature is verified locally (both parts) before anyone writes it.
import type { KeyObject } from 'node:crypto';
import { concatBytes } from '../base/bytes.js';
import type { CompositeAlg } from './params.js';
import type { ParamSet } from '../mldsa/params.js';
import { PqsignError } from '../base/errors.js';
import { LocalSigner, signMuChecked, type Signer } from '../mldsa/signer.js';
import { compositePublicKey, type CompositePrivateKey, type CompositePublicKey } from './keys.js';
import { componentMu } from './message.js';
import { tradSign, tradVerify } from './traditional.js';

export interface TraditionalSigner {
  /** human description for messages (never secret material) */
  readonly description: string;
  /** raw traditional public key, in the draft's encoding */
  readonly publicKey: Uint8Array;
  /** sign M' (the back-end hashes it with the component's own hash) */
  sign(message: Uint8Array): Promise<Uint8Array>;
  dryRun?(): Promise<void>;
  close?(): Promise<void>;
}

/** A traditional key held elsewhere (a KMS key): its public key picks the composite, then it signs for it. */
export interface RemoteTradKey {
  readonly publicKey: KeyObject;
  /** `rawPublicKey`: the draft's encoding of publicKey */
  signer(alg: CompositeAlg, rawPublicKey: Uint8Array): TraditionalSigner;
  close(): Promise<void>;
}

export class LocalTradSigner implements TraditionalSigner {
  constructor(
    private readonly alg: CompositeAlg,
    private readonly key: KeyObject,
    readonly publicKey: Uint8Array,
    readonly description: string,
  ) {}

  async sign(message: Uint8Array): Promise<Uint8Array> {
    return tradSign(this.alg.trad, this.key, message);
  }
}

export class CompositeSigner {
  readonly params: ParamSet;
  /** raw composite public key */
  readonly publicKey: Uint8Array;
  readonly description: string;
  readonly key: CompositePublicKey;

  constructor(
    readonly alg: CompositeAlg,
    readonly mldsa: Signer,
    readonly trad: TraditionalSigner,
    description?: string,
  ) {
    if (mldsa.params !== alg.mldsa) {
      throw new PqsignError(
        'ERR_ALGORITHM',
        `${alg.name} needs an ${alg.mldsa.name} key, but ${mldsa.description} is ${mldsa.params.name}`,
      );
    }
    this.params = alg.mldsa;
    this.key = compositePublicKey(alg, concatBytes(mldsa.publicKey, trad.publicKey));
    this.publicKey = this.key.publicKey;
    this.description = description ?? `${mldsa.description} + ${trad.description}`;
  }

  /** Sign M' with both parts and check both against the composite public key; nothing unchecked leaves. */
  async sign(mPrime: Uint8Array): Promise<Uint8Array> {
    const mu = componentMu(this.alg, this.key.mldsaPublicKey, mPrime);
    const [mldsaSig, tradSig] = await Promise.all([signMuChecked(this.mldsa, mu), this.trad.sign(mPrime)]);
    if (tradSig.length > this.alg.trad.maxSignatureBytes || !tradVerify(this.alg.trad, this.key.tradPublicKey, mPrime, tradSig)) {
      throw new PqsignError(
        'ERR_SIGNER',
        `${this.trad.description} returned a signature that does not verify against its public key; nothing was written`,
      );
    }
    return concatBytes(mldsaSig, tradSig);
  }

  async dryRun(): Promise<void> {
    await this.mldsa.dryRun?.('mu');
    await this.trad.dryRun?.();
  }

  async close(): Promise<void> {
    await Promise.all([this.mldsa.close?.(), this.trad.close?.()]);
  }
}

/** Both parts from one local composite private key. */
export function localCompositeSigner(
  key: CompositePrivateKey,
  opts: { deterministic?: boolean | undefined; description?: string | undefined } = {},
): CompositeSigner {
  const description = opts.description ?? `local ${key.alg.name} key`;
  const n = key.alg.mldsa.publicKeyBytes;
  return new CompositeSigner(
    key.alg,
    new LocalSigner(key.mldsa, { deterministic: opts.deterministic, description: `${description} (ML-DSA part)` }),
    new LocalTradSigner(key.alg, key.tradPrivateKey, key.publicKey.subarray(n), `${description} (traditional part)`),
    description,
  );
}

export const isCompositeSigner = (s: unknown): s is CompositeSigner => s instanceof CompositeSigner;
