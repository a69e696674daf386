// FIPS 204 arithmetic shared by pqsign's own ML-DSA code (expanded-key checks, μ verification): the
// parameter sets' lattice constants (Table 1), Z_q, the NTT (Algs. 41/42), ExpandA's RejNTTPoly (Alg. 30)
// and BitUnpack (Alg. 19). Hashing is node:crypto's SHAKE (OpenSSL), not JavaScript.
import { createHash } from 'node:crypto';
import type { ParamName } from './params.js';

export const Q = 8380417;
export const N = 256;
/** dropped bits of t (d) */
export const D = 13;

export interface Lattice {
  k: number;
  l: number;
  eta: number;
  tau: number;
  /** ‖z‖∞ bound γ1 and its bit length in sigEncode */
  gamma1: number;
  gamma1Bits: number;
  gamma2: number;
  beta: number;
  omega: number;
  /** c̃ bytes, λ/4 */
  cTildeBytes: number;
}

/** FIPS 204 Table 1 (β = τ·η). */
export const LATTICE: Record<ParamName, Lattice> = {
  'ML-DSA-44': { k: 4, l: 4, eta: 2, tau: 39, gamma1: 1 << 17, gamma1Bits: 18, gamma2: (Q - 1) / 88, beta: 78, omega: 80, cTildeBytes: 32 },
  'ML-DSA-65': {
    k: 6,
    l: 5,
    eta: 4,
    tau: 49,
    gamma1: 1 << 19,
    gamma1Bits: 20,
    gamma2: (Q - 1) / 32,
    beta: 196,
    omega: 55,
    cTildeBytes: 48,
  },
  'ML-DSA-87': {
    k: 8,
    l: 7,
    eta: 2,
    tau: 60,
    gamma1: 1 << 19,
    gamma1Bits: 20,
    gamma2: (Q - 1) / 32,
    beta: 120,
    omega: 75,
    cTildeBytes: 64,
  },
};

export type Poly = Int32Array;

/** a mod q in [0, q) for any safe integer a */
export const mod = (a: number): number => {
  const r = a % Q;
  return r < 0 ? r + Q : r;
};
const Q_INV = 1 / Q;

/**
 * a·b mod q for a in [0, q) and b in [0, 2^30). The product is below 2^53, exact in a double. The quotient estimate
 * floor(p · (1/q)) avoids V8's fmod for % (several times slower) and a division; the rounding of 1/q and
 * of the product leaves it at most one off, which one correction each way fixes.
 */
export const mulMod = (a: number, b: number): number => {
  const p = a * b;
  const r = p - Q * Math.floor(p * Q_INV);
  return r < 0 ? r + Q : r >= Q ? r - Q : r;
};

// zetas[k] = 1753^brv8(k) mod q (FIPS 204 Appendix B)
const ZETAS = (() => {
  const z = new Int32Array(N);
  const brv = (k: number) => {
    let r = 0;
    for (let i = 0; i < 8; i++) r |= ((k >> i) & 1) << (7 - i);
    return r;
  };
  const powers = new Int32Array(N);
  powers[0] = 1;
  for (let i = 1; i < N; i++) powers[i] = mulMod(powers[i - 1]!, 1753);
  for (let k = 0; k < N; k++) z[k] = powers[brv(k)]!;
  return z;
})();

/**
 * Alg. 41 NTT, in place; coefficients in [0, q) in and out. Reduction is lazy: each layer leaves its
 * coefficients below (layer + 2)·q (a + t and a − t + q, with t = ζ·b mod q), at most 9q < 2^27 after the
 * eighth, so nothing overflows an Int32Array and mulMod's products stay below 2^50; one pass reduces at the
 * end. The alternative, a conditional reduction per butterfly, branches unpredictably.
 */
export function ntt(w: Poly): Poly {
  let m = 0;
  for (let len = 128; len >= 1; len >>= 1) {
    for (let start = 0; start < N; start += 2 * len) {
      const z = ZETAS[++m]!;
      for (let j = start; j < start + len; j++) {
        const t = mulMod(z, w[j + len]!);
        const a = w[j]!;
        w[j + len] = a - t + Q;
        w[j] = a + t;
      }
    }
  }
  for (let j = 0; j < N; j++) w[j] = w[j]! % Q;
  return w;
}

/** Alg. 42 NTT⁻¹, in place; coefficients in [0, q). */
export function invNtt(w: Poly): Poly {
  let m = N;
  for (let len = 1; len < N; len <<= 1) {
    for (let start = 0; start < N; start += 2 * len) {
      const z = Q - ZETAS[--m]!;
      for (let j = start; j < start + len; j++) {
        const t = w[j]!;
        const u = w[j + len]!;
        w[j] = t + u >= Q ? t + u - Q : t + u;
        w[j + len] = mulMod(z, t - u + Q); // in (0, 2q): mulMod takes it unreduced
      }
    }
  }
  for (let j = 0; j < N; j++) w[j] = mulMod(8347681, w[j]!); // 256⁻¹ mod q
  return w;
}

/** Alg. 30 RejNTTPoly(ρ ‖ s ‖ r) with SHAKE128 (Alg. 14 CoeffFromThreeBytes): Â[r][s] of Alg. 32 ExpandA. */
export function rejNttPoly(rho: Uint8Array, s: number, r: number, out: Poly = new Int32Array(N)): Poly {
  const seed = new Uint8Array(rho.length + 2);
  seed.set(rho);
  seed[rho.length] = s;
  seed[rho.length + 1] = r;
  // 5 SHAKE128 blocks hold 280 candidates: enough for 256 coefficients but with negligible probability;
  // then ask for more (a longer squeeze has the same prefix)
  for (let outLen = 168 * 5; ; outLen *= 2) {
    const stream = createHash('shake128', { outputLength: outLen }).update(seed).digest();
    let n = 0;
    for (let p = 0; n < N && p + 3 <= stream.length; p += 3) {
      const z = ((stream[p + 2]! & 0x7f) << 16) | (stream[p + 1]! << 8) | stream[p]!;
      if (z < Q) out[n++] = z;
    }
    if (n === N) return out;
  }
}

/** Alg. 19 BitUnpack's packing: N coefficients of `bits` (≤ 24) bits, little-endian bit order, from `off`. */
export function unpack(bytes: Uint8Array, off: number, bits: number, out: Poly = new Int32Array(N)): Poly {
  const mask = (1 << bits) - 1;
  let acc = 0;
  let accBits = 0;
  let p = off;
  for (let i = 0; i < N; i++) {
    while (accBits < bits) {
      acc |= bytes[p++]! << accBits; // accBits < bits ≤ 24: acc stays below 2^31
      accBits += 8;
    }
    out[i] = acc & mask;
    acc >>>= bits;
    accBits -= bits;
  }
  return out;
}
