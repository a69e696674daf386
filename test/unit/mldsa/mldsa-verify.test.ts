// pqsign's own FIPS 204 Algorithm 8 (src/mldsa/verify.ts, node:crypto SHAKE) against code nobody here
// wrote: every Wycheproof and ACVP verify vector runs through it by default (wycheproof, acvp and
// mldsa-backend tests); here, differentially against noble on mutated signatures — bit flips in c̃, z and
// the hint encoding, whose malformed forms (Alg. 21) must be rejected exactly as the reference does —
// and the modular arithmetic against BigInt.
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keygenFromSeed, signMu } from '../../../src/mldsa/mldsa.js';
import { LATTICE, Q, mulMod } from '../../../src/mldsa/lattice.js';
import { verifyMuInternal } from '../../../src/mldsa/verify.js';
import { PARAM_SETS } from '../../../src/mldsa/params.js';

const NOBLE = { 'ML-DSA-44': ml_dsa44, 'ML-DSA-65': ml_dsa65, 'ML-DSA-87': ml_dsa87 } as const;

describe('mulMod', () => {
  it('equals a·b mod q computed with BigInt for a < q and b < 2^30 (the NTT feeds it unreduced values), edges included', () => {
    const a = fc.oneof(fc.integer({ min: 0, max: Q - 1 }), fc.constantFrom(0, 1, 2, Q - 2, Q - 1, (Q - 1) / 2, 8347681));
    const b = fc.oneof(a, fc.integer({ min: 0, max: 2 ** 30 - 1 }), fc.constantFrom(9 * Q - 1, 2 * Q - 1, 2 ** 30 - 1));
    fc.assert(
      fc.property(a, b, (x, y) => mulMod(x, y) === Number((BigInt(x) * BigInt(y)) % BigInt(Q))),
      { numRuns: 20000 },
    );
  });
});

describe.each(PARAM_SETS)('$name: Algorithm 8 agrees with noble', (params) => {
  const { publicKey, secretKey } = keygenFromSeed(params, new Uint8Array(32).fill(params.category + 1));
  const noble = NOBLE[params.name];
  const nobleVerify = (sig: Uint8Array, mu: Uint8Array) => {
    try {
      return noble.internal.verify(sig, mu, publicKey, { externalMu: true });
    } catch {
      return false;
    }
  };
  const { cTildeBytes, gamma1Bits, l, omega, k } = LATTICE[params.name];
  const hintStart = cTildeBytes + l * 32 * gamma1Bits;

  it('valid signatures verify; any other μ does not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), (mu, other) => {
        const sig = signMu(params, secretKey, mu);
        expect(verifyMuInternal(params, publicKey, mu, sig)).toBe(true);
        expect(verifyMuInternal(params, publicKey, other, sig)).toBe(Buffer.from(other).equals(Buffer.from(mu)));
      }),
      { numRuns: 15 },
    );
  });

  it('mutated signatures: the same verdict as noble (c̃, z, hint positions and counts)', () => {
    const mu = new Uint8Array(64).fill(0x5a);
    const sig = signMu(params, secretKey, mu);
    const region = fc.oneof(
      fc.integer({ min: 0, max: cTildeBytes - 1 }),
      fc.integer({ min: cTildeBytes, max: hintStart - 1 }),
      fc.integer({ min: hintStart, max: hintStart + omega + k - 1 }),
      fc.integer({ min: hintStart + omega, max: hintStart + omega + k - 1 }), // the per-polynomial hint counts
    );
    let rejected = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(region, fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }), (edits) => {
        const bad = Uint8Array.from(sig);
        for (const [at, x] of edits) bad[at] = bad[at]! ^ x;
        const ours = verifyMuInternal(params, publicKey, mu, bad);
        expect(ours).toBe(nobleVerify(bad, mu));
        if (!ours) rejected++;
      }),
      { numRuns: 300 },
    );
    expect(rejected).toBeGreaterThan(250); // nearly every mutation breaks the signature
  });
});
