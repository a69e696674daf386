// FIPS 204 Algorithm 8 ML-DSA.Verify_internal with μ given (line 6 skipped), hashing with node:crypto's
// SHAKE (OpenSSL). Why not noble's verify: its SHAKE is JavaScript, and ExpandA alone squeezes k·l
// SHAKE128 streams per verification — most of a verify, and ~20 ms of a cold CLI start on Node 20,
// where node:crypto has no ML-DSA. Lengths are the caller's (mldsa.ts verifyMu) to check.
import { createHash } from 'node:crypto';
import { D, LATTICE, N, Q, invNtt, mod, mulMod, ntt, rejNttPoly, unpack, type Lattice, type Poly } from './lattice.js';
import type { ParamSet } from './params.js';

const T1_BITS = 10;

export function verifyMuInternal(params: ParamSet, pk: Uint8Array, mu: Uint8Array, sig: Uint8Array): boolean {
  const L = LATTICE[params.name];
  const { k, l, gamma1, gamma1Bits, beta, cTildeBytes } = L;
  // 1: pkDecode (Alg. 23)
  const rho = pk.subarray(0, 32);
  // 2-3: sigDecode (Alg. 27): c̃ ‖ z (BitUnpack, a = γ1 − 1, b = γ1) ‖ h (HintBitUnpack), ⊥ → invalid
  const cTilde = sig.subarray(0, cTildeBytes);
  const zBytes = 32 * gamma1Bits;
  const z: Poly[] = [];
  let zInBound = true;
  for (let j = 0; j < l; j++) {
    const p = unpack(sig, cTildeBytes + j * zBytes, gamma1Bits);
    for (let c = 0; c < N; c++) {
      const v = gamma1 - p[c]!;
      // 12: ‖z‖∞ < γ1 − β, checked on the centered value, before z is reduced mod q
      if (v >= gamma1 - beta || v <= -(gamma1 - beta)) zInBound = false;
      p[c] = mod(v);
    }
    z.push(p);
  }
  const h = hintBitUnpack(sig.subarray(cTildeBytes + l * zBytes), L);
  if (!h || !zInBound) return false;
  // 7: c ← SampleInBall(c̃), in the NTT domain
  const cHat = ntt(sampleInBall(cTilde, L.tau));
  // 8: w'Approx = NTT⁻¹(Â ∘ NTT(z) − NTT(c) ∘ NTT(t1 · 2^d)); 4: Â = ExpandA(ρ), one row at a time
  const zHat = z.map(ntt);
  const w1: Poly[] = [];
  const t1 = new Int32Array(N); // scratch, reused for every row: a verify allocates little
  const a = new Int32Array(N);
  for (let i = 0; i < k; i++) {
    unpack(pk, 32 + i * 32 * T1_BITS, T1_BITS, t1);
    for (let c = 0; c < N; c++) t1[c] = t1[c]! << D; // < 2^23 and ≤ q − 1 (1023 · 2^13 = q − 1)
    const t1Hat = ntt(t1);
    const acc = new Int32Array(N);
    for (let j = 0; j < l; j++) {
      rejNttPoly(rho, j, i, a);
      const zj = zHat[j]!;
      for (let c = 0; c < N; c++) {
        const v = acc[c]! + mulMod(a[c]!, zj[c]!);
        acc[c] = v >= Q ? v - Q : v;
      }
    }
    for (let c = 0; c < N; c++) {
      const v = acc[c]! - mulMod(cHat[c]!, t1Hat[c]!);
      acc[c] = v < 0 ? v + Q : v;
    }
    // 9: w1' = UseHint(h, w'Approx)
    const w = invNtt(acc);
    const hi = h[i]!;
    for (let c = 0; c < N; c++) w[c] = useHint(hi[c] === 1, w[c]!, L.gamma2);
    w1.push(w);
  }
  // 10: c̃' = H(μ ‖ w1Encode(w1'), λ/4); 12: c̃ = c̃'
  const expected = createHash('shake256', { outputLength: cTildeBytes }).update(mu).update(w1Encode(w1, L.gamma2)).digest();
  let diff = 0;
  for (let i = 0; i < cTildeBytes; i++) diff |= expected[i]! ^ cTilde[i]!;
  return diff === 0;
}

/** Alg. 21 HintBitUnpack: k hint polynomials from ω + k bytes, or undefined (⊥) when malformed. */
function hintBitUnpack(y: Uint8Array, { k, omega }: Lattice): Uint8Array[] | undefined {
  const h = Array.from({ length: k }, () => new Uint8Array(N));
  let index = 0;
  for (let i = 0; i < k; i++) {
    const end = y[omega + i]!;
    if (end < index || end > omega) return undefined;
    const first = index;
    while (index < end) {
      if (index > first && y[index - 1]! >= y[index]!) return undefined; // positions strictly increasing
      h[i]![y[index]!] = 1;
      index++;
    }
  }
  for (let i = index; i < omega; i++) if (y[i] !== 0) return undefined; // unused slots are zero
  return h;
}

/** Alg. 29 SampleInBall: τ coefficients ±1 placed from a SHAKE256 stream of c̃. */
function sampleInBall(cTilde: Uint8Array, tau: number): Poly {
  // one squeeze long enough for the rejection loop (136 bytes = one SHAKE256 block), longer if it runs out
  for (let outLen = 136; ; outLen *= 2) {
    const stream = createHash('shake256', { outputLength: outLen }).update(cTilde).digest();
    const c = new Int32Array(N);
    let p = 8; // the first 8 bytes are the 64 sign bits h
    let ok = true;
    for (let i = N - tau; i < N && ok; i++) {
      let j;
      do {
        if (p >= stream.length) {
          ok = false;
          break;
        }
        j = stream[p++]!;
      } while (j > i);
      if (!ok) break;
      c[i] = c[j!]!;
      const bit = i + tau - N;
      c[j!] = (stream[bit >> 3]! >> (bit & 7)) & 1 ? Q - 1 : 1;
    }
    if (ok) return c;
  }
}

/** Alg. 40 UseHint with Alg. 36 Decompose, for r in [0, q). */
function useHint(hint: boolean, r: number, gamma2: number): number {
  const m = (Q - 1) / (2 * gamma2);
  let r0 = r % (2 * gamma2);
  if (r0 > gamma2) r0 -= 2 * gamma2; // r0 = r mod± 2γ2
  let r1;
  if (r - r0 === Q - 1) {
    r1 = 0;
    r0 -= 1;
  } else r1 = (r - r0) / (2 * gamma2);
  if (!hint) return r1;
  return r0 > 0 ? (r1 + 1) % m : (r1 - 1 + m) % m;
}

/** Alg. 28 w1Encode: SimpleBitPack(w1[i], (q − 1)/(2γ2) − 1) for each i. */
function w1Encode(w1: Poly[], gamma2: number): Uint8Array {
  const bits = gamma2 === (Q - 1) / 88 ? 6 : 4; // bitlen(43) or bitlen(15)
  const out = new Uint8Array(w1.length * 32 * bits);
  let p = 0;
  let acc = 0;
  let accBits = 0;
  for (const w of w1) {
    for (let c = 0; c < N; c++) {
      acc |= w[c]! << accBits;
      accBits += bits;
      while (accBits >= 8) {
        out[p++] = acc & 0xff;
        acc >>>= 8;
        accBits -= 8;
      }
    }
  }
  return out;
}
