// Composite signers from two keys, 'ML-DSA-REF+TRADITIONAL-KEY' (docs/hybrid.md), in this process: both
// local files, and the ML-DSA part in the local KMS (real @aws-sdk/client-kms over HTTP, EXTERNAL_MU over
// M') with a local ECDSA key. The composite public key of the two parts verifies, and Bouncy Castle 1.86
// agrees. Error codes stand for exit codes (README's table). The command line's side is
// test/cli/composite-two-part.test.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ecKeyFiles } from '../../support/composite-keys.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { HAVE_SHARED, oracle, tempDir } from '../../support/helpers.js';
import { failure, keygenFiles, signWith, verifyWith } from '../../support/inproc.js';
import { startInProcessKms, writePublicKey } from '../../support/kms-inproc.js';

const dir = tempDir('pqsign-two-part-unit-');
const msg = join(dir, 'fw.bin');
writeFileSync(msg, Buffer.alloc(100_000, 3));
const ecKey = (curve: string, name: string) => ecKeyFiles(dir, curve, name);
const kms = await startInProcessKms();

describe('two-part composite keys', () => {
  const ml = keygenFiles(dir, 'ml65');
  const ec = ecKey('prime256v1', 'p256');

  it('local ML-DSA-65 + P-256 files sign as MLDSA65-ECDSA-P256-SHA512 (inferred); the public parts verify', async () => {
    const sig = join(dir, 'local.sig');
    expect((await signWith(msg, `${ml.key}+${ec.key}`, { out: sig })).algorithm).toBe('MLDSA65-ECDSA-P256-SHA512');
    const pubs = `${ml.pub}+${ec.pub}`;
    await verifyWith(msg, pubs, { sig });
    // the composite SPKI of the two parts, as a file; Bouncy Castle verifies with it
    const spki = await writePublicKey(pubs, join(dir, 'composite.pub'));
    expect((await verifyWith(msg, spki, { sig })).details.composite).toBe('MLDSA65-ECDSA-P256-SHA512');
    if (HAVE_SHARED) expect(oracle(['--impl', 'bc186', 'verify', 'MLDSA65-ECDSA-P256-SHA512', spki, sig, msg]).ok).toBe(true);
    // the ML-DSA part alone is not the signer
    expect(exitOfCode((await failure(verifyWith(msg, ml.pub, { sig }))).code)).toBe(1);
  });

  it('a traditional key that fits no composite with this ML-DSA set, or an alg it does not fit, is refused (exit 2)', async () => {
    const p521 = ecKey('secp521r1', 'p521');
    const r = await failure(signWith(msg, `${ml.key}+${p521.key}`, { out: join(dir, 'x.sig') }));
    expect(exitOfCode(r.code)).toBe(2);
    expect(r.message).toMatch(/no composite algorithm pairs ML-DSA-65/);
    const wrong = await failure(signWith(msg, `${ml.key}+${ec.key}`, { alg: 'MLDSA65-ECDSA-P384-SHA512', out: join(dir, 'y.sig') }));
    expect(exitOfCode(wrong.code)).toBe(2);
  });

  it("ML-DSA part in KMS (EXTERNAL_MU of M' with ctx = Label) + local ECDSA: signs, verifies, Bouncy Castle agrees", async () => {
    await kms.createKey('ML_DSA_65', 'alias/fw-mldsa');
    const ref = `${kms.ref('alias/fw-mldsa')}+${ec.key}`;
    const sig = join(dir, 'kms.sig');
    await signWith(msg, ref, { out: sig });
    expect(kms.log.some((l) => l.startsWith('Sign EXTERNAL_MU 200'))).toBe(true);
    const spki = await writePublicKey(ref, join(dir, 'kms-composite.pub'));
    await verifyWith(msg, spki, { sig });
    if (HAVE_SHARED) expect(oracle(['--impl', 'bc186', 'verify', 'MLDSA65-ECDSA-P256-SHA512', spki, sig, msg]).ok).toBe(true);
  });
});
