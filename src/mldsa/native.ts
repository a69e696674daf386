// OpenSSL 3.5's ML-DSA through node:crypto (Node >= 24.7: KeyObject types 'ml-dsa-44|65|87').
// node:crypto offers only the one-shot FIPS 204 Algorithm 3 ML-DSA.Verify(pk, M, σ, ctx): it cannot take an
// external μ, so it is used for messages small enough to hold (see ONE_SHOT_MAX in mldsa.ts).
// Probed once, lazily: runtimes without ML-DSA, or whose `context` key option is silently ignored
// (added to sign/verify by nodejs/node#59570), are detected rather than assumed from the version number.
import * as nodeCrypto from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { ParamSet } from './params.js';
import { encodeSpki } from './asn1.js';

export interface NativeMlDsa {
  /** does the runtime honour a non-empty context string? */
  readonly context: boolean;
  verify(params: ParamSet, publicKey: Uint8Array, ctx: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

// @types/node 20 does not know the ML-DSA key types or the `context` key option: type what we use.
type KeyInput = KeyObject | { key: KeyObject; context: Uint8Array };
const generateKeyPairSync = nodeCrypto.generateKeyPairSync as unknown as (type: string) => { publicKey: KeyObject; privateKey: KeyObject };
const sign = nodeCrypto.sign as unknown as (alg: null, data: Uint8Array, key: KeyInput) => Buffer;
const verify = nodeCrypto.verify as unknown as (alg: null, data: Uint8Array, key: KeyInput, signature: Uint8Array) => boolean;
const { createPublicKey } = nodeCrypto;

let probed: NativeMlDsa | null | undefined;

export function nativeMlDsa(): NativeMlDsa | undefined {
  if (probed === undefined) probed = probe();
  return probed ?? undefined;
}

function probe(): NativeMlDsa | null {
  let context: boolean;
  try {
    const pair = generateKeyPairSync('ml-dsa-44');
    const msg = new Uint8Array(0);
    const ctx = Uint8Array.of(1);
    const sig = sign(null, msg, { key: pair.privateKey, context: ctx });
    // A runtime that ignores `context` signs with the empty one: then the plain verify succeeds.
    context = verify(null, msg, { key: pair.publicKey, context: ctx }, sig) && !verify(null, msg, pair.publicKey, sig);
  } catch {
    return null; // no ML-DSA in this node:crypto
  }
  const keys = new WeakMap<Uint8Array, KeyObject>();
  const keyObject = (params: ParamSet, publicKey: Uint8Array): KeyObject => {
    let k = keys.get(publicKey);
    if (!k) {
      k = createPublicKey({ key: Buffer.from(encodeSpki(params, publicKey)), format: 'der', type: 'spki' });
      keys.set(publicKey, k);
    }
    return k;
  };
  return {
    context,
    verify(params, publicKey, ctx, message, signature) {
      if (ctx.length && !context) throw new Error('native ML-DSA: this runtime ignores the context string');
      const key = keyObject(params, publicKey);
      return verify(null, message, ctx.length ? { key, context: ctx } : key, signature);
    },
  };
}
