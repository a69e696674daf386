// The composite message representative (draft-ietf-lamps-pq-composite-sigs §4.2/§4.3):
//   M' = Prefix ‖ Label ‖ len(ctx) ‖ ctx ‖ PH(M)
// with Prefix = "CompositeAlgorithmSignatures2025". PH streams over the artifact once, so M' is small
// (at most ~380 bytes) whatever the artifact's size. The ML-DSA component is pure ML-DSA over M' with the
// Label as its FIPS 204 context, so its external μ = H(tr ‖ 0 ‖ |Label| ‖ Label ‖ M') is what a KMS key
// with EXTERNAL_MU signs; the traditional component signs M' itself.
import { createHash, type Hash } from 'node:crypto';
import { concatBytes, utf8 } from '../base/bytes.js';
import type { CompositeAlg } from './params.js';
import { checkContext, computeMu } from '../mldsa/mu.js';

export const PREFIX = utf8('CompositeAlgorithmSignatures2025');

const newPrehash = (alg: CompositeAlg): Hash =>
  alg.prehash === 'shake256' ? createHash('shake256', { outputLength: 64 }) : createHash(alg.prehash);

/** Streams the message into PH; digest() gives M'. The same shape as MuHasher, so the pipeline can feed either. */
export class CompositeHasher {
  private readonly h: Hash;
  private done = false;

  constructor(
    private readonly alg: CompositeAlg,
    private readonly ctx: Uint8Array = new Uint8Array(0),
  ) {
    checkContext(ctx);
    this.h = newPrehash(alg);
  }

  update(chunk: Uint8Array): this {
    if (this.done) throw new Error('CompositeHasher: update after digest');
    this.h.update(chunk);
    return this;
  }

  /** M' */
  digest(): Uint8Array {
    if (this.done) throw new Error('CompositeHasher: digest called twice');
    this.done = true;
    return concatBytes(PREFIX, this.alg.label, Uint8Array.of(this.ctx.length), this.ctx, new Uint8Array(this.h.digest()));
  }
}

/** M' of an in-memory message (certificates, CMS signed attributes, tests). */
export const compositeMessage = (alg: CompositeAlg, message: Uint8Array, ctx?: Uint8Array): Uint8Array =>
  new CompositeHasher(alg, ctx).update(message).digest();

/** External μ of the ML-DSA component: pure ML-DSA over M' with ctx = Label. */
export const componentMu = (alg: CompositeAlg, mldsaPublicKey: Uint8Array, mPrime: Uint8Array): Uint8Array =>
  computeMu(alg.mldsa, mldsaPublicKey, mPrime, alg.label);
