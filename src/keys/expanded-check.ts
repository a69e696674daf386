// Consistency of an expanded ML-DSA private key that arrives without its seed (FIPS 204 §7.2 skEncode):
// sk = ρ ‖ K ‖ tr ‖ s1 ‖ s2 ‖ t0. Nothing in the encoding ties t0 (or tr) to s1/s2, so a corrupted or
// forged key signs garbage. Recompute t = A·s1 + s2 (Alg. 6 lines 5-6) and check t0 = Power2Round(t).r0
// (Alg. 35) and that every s1/s2 coefficient is within [-η, η] (Alg. 25 skDecode). tr is checked by the caller.
import { createHash } from 'node:crypto';
import type { ParamSet } from '../params.js';

const Q = 8380417;
const D = 13;
const N = 256;
const DIMS: Record<string, { k: number; l: number; eta: number }> = {
  'ML-DSA-44': { k: 4, l: 4, eta: 2 },
  'ML-DSA-65': { k: 6, l: 5, eta: 4 },
  'ML-DSA-87': { k: 8, l: 7, eta: 2 },
};

const mod = (a: number) => ((a % Q) + Q) % Q;
const mulMod = (a: number, b: number) => mod(Number((BigInt(a) * BigInt(b)) % BigInt(Q)));

// zetas[k] = 1753^brv8(k) mod q (FIPS 204 Appendix B)
const ZETAS = (() => {
  const pow = (b: number, e: number) => {
    let r = 1n;
    let x = BigInt(b);
    for (let n = e; n > 0; n >>= 1, x = (x * x) % BigInt(Q)) if (n & 1) r = (r * x) % BigInt(Q);
    return Number(r);
  };
  const brv = (k: number) => parseInt(k.toString(2).padStart(8, '0').split('').reverse().join(''), 2);
  return Array.from({ length: N }, (_, k) => pow(1753, brv(k)));
})();

/** Alg. 41 NTT, in place. */
function ntt(w: number[]): number[] {
  let m = 0;
  for (let len = 128; len >= 1; len >>= 1) {
    for (let start = 0; start < N; start += 2 * len) {
      const z = ZETAS[++m]!;
      for (let j = start; j < start + len; j++) {
        const t = mulMod(z, w[j + len]!);
        w[j + len] = mod(w[j]! - t);
        w[j] = mod(w[j]! + t);
      }
    }
  }
  return w;
}

/** Alg. 42 NTT⁻¹, in place. */
function invNtt(w: number[]): number[] {
  let m = 256;
  for (let len = 1; len < N; len <<= 1) {
    for (let start = 0; start < N; start += 2 * len) {
      const z = mod(-ZETAS[--m]!);
      for (let j = start; j < start + len; j++) {
        const t = w[j]!;
        w[j] = mod(t + w[j + len]!);
        w[j + len] = mulMod(z, mod(t - w[j + len]!));
      }
    }
  }
  for (let j = 0; j < N; j++) w[j] = mulMod(8347681, w[j]!); // 256⁻¹ mod q
  return w;
}

/** Alg. 30 RejNTTPoly(ρ ‖ s ‖ r) with SHAKE128 (Alg. 14 CoeffFromThreeBytes). */
function rejNttPoly(seed: Uint8Array): number[] {
  for (let outLen = 168 * 6; ; outLen *= 2) {
    const stream = createHash('shake128', { outputLength: outLen }).update(seed).digest();
    const a: number[] = [];
    for (let p = 0; a.length < N && p + 3 <= stream.length; p += 3) {
      const z = ((stream[p + 2]! & 0x7f) << 16) | (stream[p + 1]! << 8) | stream[p]!;
      if (z < Q) a.push(z);
    }
    if (a.length === N) return a; // else the XOF prefix was too short: ask for more (same prefix)
  }
}

/** Alg. 19 BitUnpack: n coefficients of `bits` bits, little-endian bit order, from `off`. */
function unpack(bytes: Uint8Array, off: number, bits: number): number[] {
  const out: number[] = [];
  let acc = 0;
  let accBits = 0;
  let p = off;
  while (out.length < N) {
    while (accBits < bits) {
      acc |= bytes[p++]! << accBits;
      accBits += 8;
    }
    out.push(acc & ((1 << bits) - 1));
    acc >>>= bits;
    accBits -= bits;
  }
  return out;
}

/** Returns a reason when sk is inconsistent, undefined when it is sound. */
export function expandedKeyProblem(params: ParamSet, sk: Uint8Array): string | undefined {
  const { k, l, eta } = DIMS[params.name]!;
  const etaBits = eta === 2 ? 3 : 4;
  const etaBytes = 32 * etaBits;
  const rho = sk.subarray(0, 32);
  let off = 128;
  const readEta = (): number[] | undefined => {
    const raw = unpack(sk, off, etaBits);
    off += etaBytes;
    if (raw.some((v) => v > 2 * eta)) return undefined;
    return raw.map((v) => eta - v);
  };
  const s1: number[][] = [];
  for (let j = 0; j < l; j++) {
    const p = readEta();
    if (!p) return 's1 has a coefficient outside [-η, η]';
    s1.push(p);
  }
  const s2: number[][] = [];
  for (let i = 0; i < k; i++) {
    const p = readEta();
    if (!p) return 's2 has a coefficient outside [-η, η]';
    s2.push(p);
  }
  const s1Hat = s1.map((p) => ntt(p.map(mod)));
  for (let i = 0; i < k; i++) {
    const acc = new Array<number>(N).fill(0);
    for (let j = 0; j < l; j++) {
      const a = rejNttPoly(Uint8Array.of(...rho, j, i)); // Alg. 32 ExpandA: ρ ‖ s ‖ r
      for (let c = 0; c < N; c++) acc[c] = mod(acc[c]! + mulMod(a[c]!, s1Hat[j]![c]!));
    }
    const t = invNtt(acc).map((v, c) => mod(v + s2[i]![c]!));
    const stored = unpack(sk, off + i * 32 * D, D).map((v) => (1 << (D - 1)) - v);
    for (let c = 0; c < N; c++) {
      let r0 = t[c]! % (1 << D); // Alg. 35 Power2Round: r0 = r⁺ mod± 2^d
      if (r0 > 1 << (D - 1)) r0 -= 1 << D;
      if (r0 !== stored[c]) return 't0 does not match A·s1 + s2';
    }
  }
  return undefined;
}
