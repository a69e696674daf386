// Consistency of an expanded ML-DSA private key that arrives without its seed (FIPS 204 §7.2 skEncode):
// sk = ρ ‖ K ‖ tr ‖ s1 ‖ s2 ‖ t0. Nothing in the encoding ties t0 (or tr) to s1/s2, so a corrupted or
// forged key signs garbage. Recompute t = A·s1 + s2 (Alg. 6 lines 5-6) and check t0 = Power2Round(t).r0
// (Alg. 35) and that every s1/s2 coefficient is within [-η, η] (Alg. 25 skDecode). tr is checked by the caller.
import { D, LATTICE, N, invNtt, mod, mulMod, ntt, rejNttPoly, unpack, type Poly } from '../mldsa/lattice.js';
import type { ParamSet } from '../mldsa/params.js';

/** Returns a reason when sk is inconsistent, undefined when it is sound. */
export function expandedKeyProblem(params: ParamSet, sk: Uint8Array): string | undefined {
  const { k, l, eta } = LATTICE[params.name];
  const etaBits = eta === 2 ? 3 : 4;
  const etaBytes = 32 * etaBits;
  const rho = sk.subarray(0, 32);
  let off = 128;
  const readEta = (): Poly | undefined => {
    const raw = unpack(sk, off, etaBits);
    off += etaBytes;
    if (raw.some((v) => v > 2 * eta)) return undefined;
    return raw.map((v) => eta - v);
  };
  const s1: Poly[] = [];
  for (let j = 0; j < l; j++) {
    const p = readEta();
    if (!p) return 's1 has a coefficient outside [-η, η]';
    s1.push(p);
  }
  const s2: Poly[] = [];
  for (let i = 0; i < k; i++) {
    const p = readEta();
    if (!p) return 's2 has a coefficient outside [-η, η]';
    s2.push(p);
  }
  const s1Hat = s1.map((p) => ntt(p.map(mod)));
  for (let i = 0; i < k; i++) {
    const acc = new Int32Array(N);
    for (let j = 0; j < l; j++) {
      const a = rejNttPoly(rho, j, i); // Alg. 32 ExpandA: Â[i][j] from ρ ‖ j ‖ i
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
