// The ML-DSA primitive, behind one seam: key generation from a seed, signing and verifying an
// external μ (FIPS 204 Algorithm 7/8 with μ supplied, as ACVP's "externalMu" interface and AWS KMS do),
// and verifying a streamed message (Algorithm 3).
// Back-ends: @noble/post-quantum generates keys and signs. Verifying μ is FIPS 204 Algorithm 8 in
// mldsa-verify.ts, hashing with node:crypto's SHAKE (noble's JavaScript SHAKE made ExpandA most of a
// verify). Where node:crypto has ML-DSA (OpenSSL 3.5, Node >= 24.7), message verification of inputs up to
// ONE_SHOT_MAX bytes goes to OpenSSL one-shot; larger inputs stream into μ, because node:crypto cannot
// take an external μ and holding the input would break flat memory.
// setMlDsaBackend (tests, diagnosis; the CLI's PQSIGN_MLDSA_BACKEND): auto (default) | native (OpenSSL
// one-shot required) | mu (always via μ and Algorithm 8 here) | portable (always via μ, verified by noble:
// pure JavaScript). Batch verify workers get the choice of the thread that starts them.
import { createRequire } from 'node:module';
import { MU_BYTES, SEED_BYTES, type ParamName, type ParamSet } from './params.js';
import { PqsignError } from '../base/errors.js';
import { MuHasher, checkContext, checkPublicKey } from './mu.js';
import { concatList } from '../base/bytes.js';
import { nativeMlDsa, type NativeMlDsa } from './native.js';
import { verifyMuInternal } from './verify.js';

// noble loads on first use, synchronously (require(esm), Node >= 20.19): verifying, or `pqsign mu`,
// never compiles it.
type Noble = typeof import('@noble/post-quantum/ml-dsa.js');
let noble: Noble | undefined;
const nobleMlDsa = (): Noble => (noble ??= createRequire(import.meta.url)('@noble/post-quantum/ml-dsa.js') as Noble);
const impl = (p: ParamSet) => {
  const n = nobleMlDsa();
  return ({ 'ML-DSA-44': n.ml_dsa44, 'ML-DSA-65': n.ml_dsa65, 'ML-DSA-87': n.ml_dsa87 } as const)[p.name as ParamName];
};

/**
 * Largest message verified by node:crypto one-shot; it is held in memory (per verifying thread).
 * The native saving is a constant ~3 ms per signature (noble's verify), while hashing costs ~2 ms per MiB
 * either way: at 1 MiB the saving is still ~60% of the work, and a worker pool of 16 holds at most 16 MiB.
 */
export const ONE_SHOT_MAX = 1024 * 1024;

/** What verifies: OpenSSL one-shot, Algorithm 8 here (node:crypto SHAKE), or noble. */
export type MlDsaBackend = 'node:crypto' | 'pqsign' | '@noble/post-quantum';

export const BACKEND_CHOICES = ['auto', 'native', 'mu', 'portable'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

let chosen: BackendChoice = 'auto';

/** Choose how ML-DSA verifies, for this thread (default 'auto': native where node:crypto has ML-DSA). */
export function setMlDsaBackend(choice: BackendChoice): void {
  if (!BACKEND_CHOICES.includes(choice))
    throw new PqsignError('ERR_USAGE', `the ML-DSA back-end must be ${BACKEND_CHOICES.join(', ')}, not "${String(choice)}"`);
  chosen = choice;
}

export const mlDsaBackendChoice = (): BackendChoice => chosen;
const backendChoice = mlDsaBackendChoice;

/** The native back-end when it is chosen and present (throws when forced but absent). */
function native(): NativeMlDsa | undefined {
  const choice = backendChoice();
  if (choice === 'portable' || choice === 'mu') return undefined;
  const n = nativeMlDsa();
  if (!n && choice === 'native') {
    throw new PqsignError(
      'ERR_USAGE',
      `the native ML-DSA back-end is asked for, but node:crypto of Node ${process.versions.node} has no ML-DSA (needs Node >= 24.7 with OpenSSL 3.5)`,
    );
  }
  return n;
}

/** Which back-end verifies small messages with an empty context here (for reports and benchmarks). */
export const messageBackend = (): MlDsaBackend =>
  native() ? 'node:crypto' : backendChoice() === 'portable' ? '@noble/post-quantum' : 'pqsign';

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
export function signMu(
  params: ParamSet,
  secretKey: Uint8Array,
  mu: Uint8Array,
  opts: { deterministic?: boolean; rnd?: Uint8Array } = {},
): Uint8Array {
  checkLen(mu, MU_BYTES, 'μ');
  checkLen(secretKey, params.secretKeyBytes, `${params.name} private key`);
  const extraEntropy = opts.rnd ?? (opts.deterministic ? false : undefined);
  return impl(params).internal.sign(mu, secretKey, { externalMu: true, extraEntropy });
}

/** FIPS 204 Algorithm 8 ML-DSA.Verify_internal with μ given. Wrong lengths are simply invalid. */
export function verifyMu(params: ParamSet, publicKey: Uint8Array, mu: Uint8Array, signature: Uint8Array): boolean {
  if (mu.length !== MU_BYTES || publicKey.length !== params.publicKeyBytes || signature.length !== params.signatureBytes) return false;
  if (backendChoice() !== 'portable') return verifyMuInternal(params, publicKey, mu, signature);
  try {
    return impl(params).internal.verify(signature, mu, publicKey, { externalMu: true });
  } catch {
    return false;
  }
}

function checkLen(b: Uint8Array, n: number, what: string): void {
  if (b.length !== n) throw new PqsignError('ERR_KEY_FORMAT', `${what} must be ${n} bytes, got ${b.length}`);
}

/** Incremental FIPS 204 Algorithm 3 ML-DSA.Verify(pk, M, σ, ctx): feed M in chunks, then verify once. */
export interface MessageVerifier {
  update(chunk: Uint8Array): void;
  verify(signature: Uint8Array): boolean;
}

export function messageVerifier(params: ParamSet, publicKey: Uint8Array, ctx: Uint8Array): MessageVerifier {
  checkPublicKey(params, publicKey);
  checkContext(ctx);
  const n = native();
  if (!n || (ctx.length > 0 && !n.context)) return muVerifier(new MuHasher(params, publicKey, ctx), params, publicKey);
  return new OneShotVerifier(n, params, publicKey, ctx);
}

const muVerifier = (hasher: MuHasher, params: ParamSet, publicKey: Uint8Array): MessageVerifier => ({
  update: (chunk) => void hasher.update(chunk),
  verify: (signature) => verifyMu(params, publicKey, hasher.digest(), signature),
});

/** Holds the message up to ONE_SHOT_MAX for node:crypto; past that it turns into a μ stream. */
class OneShotVerifier implements MessageVerifier {
  private held: Uint8Array[] = [];
  private size = 0;
  private streaming: MessageVerifier | undefined;

  constructor(
    private readonly n: NativeMlDsa,
    private readonly params: ParamSet,
    private readonly publicKey: Uint8Array,
    private readonly ctx: Uint8Array,
  ) {}

  update(chunk: Uint8Array): void {
    if (this.streaming) return this.streaming.update(chunk);
    this.size += chunk.length;
    if (this.size <= ONE_SHOT_MAX) {
      this.held.push(Uint8Array.from(chunk)); // chunks are views into reused read buffers
      return;
    }
    this.streaming = muVerifier(new MuHasher(this.params, this.publicKey, this.ctx), this.params, this.publicKey);
    for (const h of this.held) this.streaming.update(h);
    this.held = [];
    this.streaming.update(chunk);
  }

  verify(signature: Uint8Array): boolean {
    if (this.streaming) return this.streaming.verify(signature);
    if (signature.length !== this.params.signatureBytes) return false;
    const message = this.held.length === 1 ? this.held[0]! : concatList(this.held);
    try {
      return this.n.verify(this.params, this.publicKey, this.ctx, message, signature);
    } catch {
      return false;
    }
  }
}

/** One-call form of messageVerifier for in-memory messages. */
export const verifyMessage = (
  params: ParamSet,
  publicKey: Uint8Array,
  ctx: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean => {
  const v = messageVerifier(params, publicKey, ctx);
  v.update(message);
  return v.verify(signature);
};
