// The sign pipeline: hedged vs deterministic, sign-then-verify before writing, streaming across chunks.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flipByte, pqsign, tempDir, hex } from '../support/helpers.js';
import { signFile } from '../../src/pipeline/sign.js';
import { formatByName } from '../../src/pipeline/registry.js';
import { LocalSigner, type Signer } from '../../src/mldsa/signer.js';
import { keygenFromSeed } from '../../src/mldsa/mldsa.js';
import { computeMu, MuHasher } from '../../src/mldsa/mu.js';
import { muOfParts } from '../../src/mldsa/stream.js';
import { DEFAULT_PARAM } from '../../src/mldsa/params.js';
import { randomBytes } from 'node:crypto';

const seed = new Uint8Array(32).fill(7);
const key = { params: DEFAULT_PARAM, seed, ...keygenFromSeed(DEFAULT_PARAM, seed), form: 'seed' as const };

describe('sign pipeline', () => {
  const dir = tempDir();
  const msg = join(dir, 'm.bin');
  writeFileSync(msg, 'deterministic?');

  it('--deterministic repeats, hedged signing does not', () => {
    const k = join(dir, 'k.pem');
    pqsign(['keygen', '--out', k]);
    const sigs = (flags: string[]) =>
      [1, 2].map((i) => {
        const out = join(dir, `s${i}${flags.join('')}.sig`);
        expect(pqsign(['sign', msg, '--key', k, '--out', out, ...flags]).code).toBe(0);
        return hex(readFileSync(out));
      });
    const [d1, d2] = sigs(['--deterministic']);
    expect(d1).toBe(d2);
    const [h1, h2] = sigs([]);
    expect(h1).not.toBe(h2);
  });

  it('a signer whose signature does not verify writes nothing (exit 3)', async () => {
    const honest = new LocalSigner(key);
    const liar: Signer = {
      params: honest.params,
      publicKey: honest.publicKey,
      description: 'lying signer',
      async signMu(mu) {
        const s = await honest.signMu(mu);
        return flipByte(s, 10);
      },
    };
    const out = join(dir, 'liar.sig');
    await expect(signFile(msg, out, formatByName('raw'), liar, { context: new Uint8Array(0), formatOptions: {} })).rejects.toMatchObject({
      code: 'ERR_SIGNER',
    }); // exit 3 (bin/exit-codes.ts)
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('μ over a file spanning several read chunks equals μ of the bytes in memory', async () => {
    const big = join(dir, 'big.bin');
    const data = randomBytes(9 * 1024 * 1024 + 123); // > 2 × 4 MiB chunks, odd tail
    writeFileSync(big, data);
    const streamed = await muOfParts(key.params, key.publicKey, Uint8Array.of(1, 2), [{ path: big }]);
    expect(hex(streamed)).toBe(hex(computeMu(key.params, key.publicKey, data, Uint8Array.of(1, 2))));
    // and incremental updates at arbitrary split points agree
    const h = new MuHasher(key.params, key.publicKey, Uint8Array.of(1, 2));
    for (let off = 0; off < data.length; off += 1_000_003) h.update(data.subarray(off, off + 1_000_003));
    expect(hex(h.digest())).toBe(hex(streamed));
  });
});
