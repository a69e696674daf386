// OpenSSL 3.5's one-shot ML-DSA (node:crypto sign/verify in the Node 24 that ../shared/oracles/setup
// installs) beside pqsign on the same input. One-shot holds the whole input in memory; pqsign streams μ.
// Each side verifies the other's signature, so the row doubles as an interoperability check.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, type BenchContext } from '../lib/context.js';
import { measureOk, medianOf, type Measured } from '../lib/measure.js';
import { node24, NO_NODE24 } from '../lib/node24.js';
import { skipped, type BenchRow, type RowResult } from './types.js';

const SCRIPT = `const c = require('node:crypto'), fs = require('node:fs');
const [op, keyFile, dataFile, sigFile] = process.argv.slice(2);
const key = fs.readFileSync(keyFile);
const data = fs.readFileSync(dataFile);
if (op === 'sign') fs.writeFileSync(sigFile, c.sign(null, data, c.createPrivateKey(key)));
else if (!c.verify(null, data, c.createPublicKey(key), fs.readFileSync(sigFile))) { console.error('does not verify'); process.exit(1); }
`;

export const oneshotRow: BenchRow = {
  id: 'oneshot',
  title: 'OpenSSL 3.5 one-shot',
  async run(ctx: BenchContext) {
    const size = ctx.sizes.big;
    const n24 = node24();
    if (!n24) return [skipped(`sign ${fmt.size(size)}: OpenSSL 3.5 one-shot`, NO_NODE24)];
    const script = join(ctx.tmp, 'oneshot.cjs');
    writeFileSync(script, SCRIPT);
    const file = await ctx.file(size);
    const theirSig = join(ctx.tmp, 'oneshot-openssl.sig');
    const ourSig = join(ctx.tmp, 'oneshot-pqsign.sig');
    const theirs = (op: string, key: string, sig: string) =>
      medianOf(ctx.sizes.reps, () => measureOk(n24, [script, op, key, file, sig], { isNode: true }));
    const version = (await ctx.exec(n24, ['-p', 'process.version + " OpenSSL " + process.versions.openssl'])).trim();
    const line = (what: string, ours: Measured, them: Measured): RowResult => ({
      measurement: `${what} ${fmt.size(size)} vs one-shot`,
      ours: `${fmt.ms(ours.wallMs)}, peak RSS ${fmt.mb(ours.rssMB)}`,
      baseline: `Node ${version} crypto.${what}(null, …): ${fmt.ms(them.wallMs)}, peak RSS ${fmt.mb(them.rssMB)}`,
      ratio: `${fmt.ratio(ours.wallMs / them.wallMs)} time, ${ours.rssMB && them.rssMB ? fmt.ratio(ours.rssMB / them.rssMB) : 'n/a'} RSS`,
      note: what === 'sign' ? "pqsign verifies OpenSSL's signature and OpenSSL pqsign's (checked)" : undefined,
    });
    const theirSign = await theirs('sign', ctx.key, theirSig);
    const ourSign = await medianOf(ctx.sizes.reps, () => ctx.pqsign(['sign', file, '--key', ctx.key, '--out', ourSig]));
    const ourVerify = await medianOf(ctx.sizes.reps, () => ctx.pqsign(['verify', file, '--sig', theirSig, '--key', ctx.pub]));
    const theirVerify = await theirs('verify', ctx.pub, ourSig);
    return [line('sign', ourSign, theirSign), line('verify', ourVerify, theirVerify)];
  },
};
