// External μ (FIPS 204 Algorithm 2 ML-DSA.Sign, line 10 of Algorithm 7 ML-DSA.Sign_internal):
//   tr = H(pk, 64)                         (Alg. 6 line 7 / Alg. 7 line 6)
//   M' = 0x00 ‖ IntegerToBytes(|ctx|,1) ‖ ctx ‖ M   (Alg. 2 line 10, pure ML-DSA)
//   μ  = H(tr ‖ M', 64)
// Fed incrementally so an artifact of any size streams through once.
import { MAX_CONTEXT_BYTES, MU_BYTES, type ParamSet } from './params.js';
import { PqsignError } from '../base/errors.js';
import { shake256, shake256Of, type Xof } from './shake.js';

export function checkContext(ctx: Uint8Array): void {
  if (ctx.length > MAX_CONTEXT_BYTES) {
    throw new PqsignError('ERR_CONTEXT', `context is ${ctx.length} bytes; FIPS 204 allows at most ${MAX_CONTEXT_BYTES}`);
  }
}

export function checkPublicKey(params: ParamSet, publicKey: Uint8Array): void {
  if (publicKey.length !== params.publicKeyBytes) {
    throw new PqsignError('ERR_KEY_FORMAT', `${params.name} public key must be ${params.publicKeyBytes} bytes, got ${publicKey.length}`);
  }
}

export class MuHasher {
  private readonly xof: Xof;
  private done = false;

  constructor(params: ParamSet, publicKey: Uint8Array, ctx: Uint8Array = new Uint8Array(0)) {
    checkPublicKey(params, publicKey);
    checkContext(ctx);
    const tr = shake256Of(publicKey, MU_BYTES);
    this.xof = shake256(MU_BYTES).update(tr).update(Uint8Array.of(0, ctx.length)).update(ctx);
  }

  update(chunk: Uint8Array): this {
    if (this.done) throw new Error('MuHasher: update after digest');
    this.xof.update(chunk);
    return this;
  }

  digest(): Uint8Array {
    if (this.done) throw new Error('MuHasher: digest called twice');
    this.done = true;
    return this.xof.digest();
  }
}

/** μ of an in-memory message (small inputs, tests). */
export const computeMu = (params: ParamSet, publicKey: Uint8Array, message: Uint8Array, ctx?: Uint8Array): Uint8Array =>
  new MuHasher(params, publicKey, ctx).update(message).digest();
