// The ML-DSA primitive, behind one seam: key generation from a seed, signing and verifying an
// external μ (FIPS 204 Algorithm 7/8 with μ supplied, as ACVP's "externalMu" interface and AWS KMS do).
// @noble/post-quantum is the portable implementation.
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { MU_BYTES, SEED_BYTES, type ParamName, type ParamSet } from './params.js';
import { PqsignError } from './errors.js';

const IMPL = { 'ML-DSA-44': ml_dsa44, 'ML-DSA-65': ml_dsa65, 'ML-DSA-87': ml_dsa87 } as const;
const impl = (p: ParamSet) => IMPL[p.name as ParamName];

export interface KeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/** FIPS 204 Algorithm 6 ML-DSA.KeyGen_internal(ξ). */
export function keygenFromSeed(params: ParamSet, seed: Uint8Array): KeyPair {
  if (seed.length !== SEED_BYTES) throw new PqsignError('ERR_KEY_FORMAT', `seed must be ${SEED_BYTES} bytes, got ${seed.length}`);
  const { publicKey, secretKey } = impl(params).keygen(seed);
  return { publicKey, secretKey };
}

/** pk is bytes 0..32 (ρ) of sk and t1; derive it from the expanded secret key. */
export function publicKeyFromSecret(params: ParamSet, secretKey: Uint8Array): Uint8Array {
  checkLen(secretKey, params.secretKeyBytes, `${params.name} private key`);
  return impl(params).getPublicKey(secretKey);
}

/**
 * FIPS 204 Algorithm 7 ML-DSA.Sign_internal with μ given (line 6 skipped).
 * rnd: 32 random bytes (hedged, default) or all-zero (deterministic variant, §3.4).
 */
export function signMu(params: ParamSet, secretKey: Uint8Array, mu: Uint8Array, opts: { deterministic?: boolean; rnd?: Uint8Array } = {}): Uint8Array {
  checkLen(mu, MU_BYTES, 'μ');
  checkLen(secretKey, params.secretKeyBytes, `${params.name} private key`);
  const extraEntropy = opts.rnd ?? (opts.deterministic ? false : undefined);
  return impl(params).internal.sign(mu, secretKey, { externalMu: true, extraEntropy });
}

/** FIPS 204 Algorithm 8 ML-DSA.Verify_internal with μ given. Wrong lengths are simply invalid. */
export function verifyMu(params: ParamSet, publicKey: Uint8Array, mu: Uint8Array, signature: Uint8Array): boolean {
  if (mu.length !== MU_BYTES || publicKey.length !== params.publicKeyBytes || signature.length !== params.signatureBytes) return false;
  try {
    return impl(params).internal.verify(signature, mu, publicKey, { externalMu: true });
  } catch {
    return false;
  }
}

function checkLen(b: Uint8Array, n: number, what: string): void {
  if (b.length !== n) throw new PqsignError('ERR_KEY_FORMAT', `${what} must be ${n} bytes, got ${b.length}`);
}
