// Composite verification (draft-ietf-lamps-pq-composite-sigs §4.3): the signature is ML-DSA signature ‖
// traditional signature; it is valid only if BOTH components verify over M'.
import type { CompositeAlg } from './params.js';
import { verifyMu } from '../mldsa/mldsa.js';
import { compositePublicKey, type CompositePublicKey } from './keys.js';
import { componentMu } from './message.js';
import { tradVerify } from './traditional.js';

/** Is `signature` a valid composite signature of M' under `key`? Both parts are always checked. */
export function verifyComposite(key: CompositePublicKey, mPrime: Uint8Array, signature: Uint8Array): boolean {
  const { alg } = key;
  const n = alg.mldsa.signatureBytes;
  if (signature.length <= n || signature.length > alg.maxSignatureBytes) return false;
  const mldsaOk = verifyMu(alg.mldsa, key.mldsaPublicKey, componentMu(alg, key.mldsaPublicKey, mPrime), signature.subarray(0, n));
  const tradOk = tradVerify(alg.trad, key.tradPublicKey, mPrime, signature.subarray(n));
  return mldsaOk && tradOk;
}

/** The same, from the raw composite public key. */
export const verifyCompositeRaw = (alg: CompositeAlg, publicKey: Uint8Array, mPrime: Uint8Array, signature: Uint8Array): boolean =>
  verifyComposite(compositePublicKey(alg, publicKey), mPrime, signature);
