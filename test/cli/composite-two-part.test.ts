// Two-part composite keys through the command line, --key 'ML-DSA-REF+TRADITIONAL-KEY' (docs/hybrid.md):
// `sign --json` names the inferred composite, `verify --key` and `pubkey --key` take the two public parts,
// and a pair that fits no composite, or an --alg it does not fit, is one line and exit 2. Signing, KMS parts
// and Bouncy Castle 1.86's view are tested in-process in test/unit/composite/composite-two-part.test.ts.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ecKeyFiles } from '../support/composite-keys.js';
import { pqsign, tempDir } from '../support/helpers.js';
import { keygenFiles, verifyWith } from '../support/inproc.js';

const dir = tempDir('pqsign-two-part-');
const msg = join(dir, 'fw.bin');
writeFileSync(msg, Buffer.alloc(100_000, 3));
const ecKey = (curve: string, name: string) => ecKeyFiles(dir, curve, name);

describe('two-part composite keys (CLI)', () => {
  const ml = keygenFiles(dir, 'ml65');
  const ec = ecKey('prime256v1', 'p256');

  it('sign --key ML+EC --json names the inferred composite; verify --key and pubkey --key take the two public parts', async () => {
    const sig = join(dir, 'local.sig');
    const s = pqsign(['sign', msg, '--key', `${ml.key}+${ec.key}`, '--out', sig, '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout).algorithm).toBe('MLDSA65-ECDSA-P256-SHA512');
    const pubs = `${ml.pub}+${ec.pub}`;
    expect(pqsign(['verify', msg, '--sig', sig, '--key', pubs]).code).toBe(0);
    const spki = join(dir, 'composite.pub');
    expect(pqsign(['pubkey', '--key', pubs, '--out', spki]).code).toBe(0);
    expect((await verifyWith(msg, spki, { sig })).details.composite).toBe('MLDSA65-ECDSA-P256-SHA512');
  });

  it('a traditional key that fits no composite with this ML-DSA set, or an --alg it does not fit: exit 2, one line, nothing written', () => {
    const p521 = ecKey('secp521r1', 'p521');
    const r = pqsign(['sign', msg, '--key', `${ml.key}+${p521.key}`, '--out', join(dir, 'x.sig')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^pqsign: .*no composite algorithm pairs ML-DSA-65.*\n$/);
    const wrong = pqsign(['sign', msg, '--key', `${ml.key}+${ec.key}`, '--alg', 'MLDSA65-ECDSA-P384-SHA512', '--out', join(dir, 'y.sig')]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(dir, 'x.sig')) || existsSync(join(dir, 'y.sig'))).toBe(false);
  });
});
