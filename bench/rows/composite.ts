// Composite ML-DSA (docs/hybrid.md) against ML-DSA alone, on the big input: `pqsign sign` (raw) and
// `pqsign verify` with a composite key of each main kind, and with an ML-DSA key of the composite's own
// parameter set, measured in the same run. The composite streams the input once through its pre-hash PH
// (SHA-256/512 or SHAKE256) where ML-DSA streams it through SHAKE256 into μ; the traditional part signs
// and verifies M' (a few hundred bytes). Sizes (signature, self-signed CA certificate) come from the same run.
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodePem } from '../../src/asn1/pem.js';
import { compositeByName } from '../../src/composite/params.js';
import { fmt, type BenchContext } from '../lib/context.js';
import { medianOf } from '../lib/measure.js';
import type { BenchRow, RowResult } from './types.js';

/** The composites issue 16 names first: the draft's default, one per ML-DSA set, and both EdDSA kinds. */
const ALGS = [
  'MLDSA65-ECDSA-P256-SHA512',
  'MLDSA44-ECDSA-P256-SHA256',
  'MLDSA87-ECDSA-P384-SHA512',
  'MLDSA65-Ed25519-SHA512',
  'MLDSA87-Ed448-SHAKE256',
];

interface Measured {
  sign: number;
  verify: number;
  rssMB: number | undefined;
  signatureBytes: number;
  certificateBytes: number;
}

/** Key pair, a self-signed CA certificate (its size), then the median sign and verify of `file`. */
async function measureAlg(ctx: BenchContext, alg: string, file: string): Promise<Measured> {
  const base = join(ctx.tmp, `composite-${alg}`);
  await ctx.pqsign(['keygen', '--alg', alg, '--out', `${base}.key`, '--pub', `${base}.pub`]);
  await ctx.pqsign(['cert', 'create-ca', '--key', `${base}.key`, '--subject', 'CN=pqsign bench', '--out', `${base}.pem`]);
  const certificateBytes = decodePem(readFileSync(`${base}.pem`)).find((b) => b.label === 'CERTIFICATE')!.der.length;
  const sig = `${base}.sig`;
  const sign = await medianOf(ctx.sizes.reps, () => {
    rmSync(sig, { force: true });
    return ctx.pqsign(['sign', file, '--key', `${base}.key`, '--out', sig]);
  });
  const verify = await medianOf(ctx.sizes.reps, () => ctx.pqsign(['verify', file, '--sig', sig, '--key', `${base}.pub`]));
  return { sign: sign.wallMs, verify: verify.wallMs, rssMB: sign.rssMB, signatureBytes: statSync(sig).size, certificateBytes };
}

export const compositeRow: BenchRow = {
  id: 'composite',
  title: 'composite ML-DSA against ML-DSA alone',
  async run(ctx: BenchContext) {
    const size = ctx.sizes.big;
    const file = await ctx.file(size);
    const mldsa = new Map<string, Measured>();
    const results: RowResult[] = [];
    // --smoke checks that the row runs: one algorithm is enough
    for (const alg of ctx.smoke ? ALGS.slice(0, 1) : ALGS) {
      const set = compositeByName(alg)!.mldsa.name;
      if (!mldsa.has(set)) mldsa.set(set, await measureAlg(ctx, set, file));
      const base = mldsa.get(set)!;
      const c = await measureAlg(ctx, alg, file);
      const ratio = c.sign / base.sign;
      results.push({
        measurement: `${alg}: sign ${fmt.size(size)} (raw), then verify`,
        ours: `sign ${fmt.ms(c.sign)}, verify ${fmt.ms(c.verify)}, peak RSS ${fmt.mb(c.rssMB)}`,
        baseline: `${set}: sign ${fmt.ms(base.sign)}, verify ${fmt.ms(base.verify)}`,
        ratio: `sign ${fmt.ratio(ratio)}, verify ${fmt.ratio(c.verify / base.verify)}`,
        target: '≤ 1.1× sign time',
        met: ratio <= 1.1,
        note: `signature ${c.signatureBytes} B (${set}: ${base.signatureBytes} B); self-signed CA certificate ${c.certificateBytes} B (${set}: ${base.certificateBytes} B)`,
      });
    }
    return results;
  },
};
