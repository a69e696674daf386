// Composite signers from two keys, --key 'ML-DSA-REF+TRADITIONAL-KEY' (docs/hybrid.md): both local files,
// and the ML-DSA part in the local KMS (real @aws-sdk/client-kms over HTTP, EXTERNAL_MU over M') with a
// local ECDSA key. The composite public key of the two parts verifies, and Bouncy Castle 1.86 agrees.
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAVE_SHARED, oracle, pqsign, pqsignAsync, tempDir } from '../support/helpers.js';
import { startTestKms } from '../support/kms-fixture.js';

const dir = tempDir('pqsign-two-part-');
const msg = join(dir, 'fw.bin');
writeFileSync(msg, Buffer.alloc(100_000, 3));
const ecKey = (curve: string, name: string) => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  writeFileSync(join(dir, `${name}.pem`), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, `${name}.pub`), publicKey.export({ type: 'spki', format: 'pem' }));
  return { key: join(dir, `${name}.pem`), pub: join(dir, `${name}.pub`) };
};

describe('two-part composite keys', () => {
  const ml = join(dir, 'ml65.pem');
  expect(pqsign(['keygen', '--alg', 'ML-DSA-65', '--out', ml, '--pub', join(dir, 'ml65.pub')]).code).toBe(0);
  const ec = ecKey('prime256v1', 'p256');

  it('local ML-DSA-65 + P-256 files sign as MLDSA65-ECDSA-P256-SHA512 (inferred); the public parts verify', () => {
    const sig = join(dir, 'local.sig');
    const s = pqsign(['sign', msg, '--key', `${ml}+${ec.key}`, '--out', sig, '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout).algorithm).toBe('MLDSA65-ECDSA-P256-SHA512');
    const pubs = `${join(dir, 'ml65.pub')}+${ec.pub}`;
    expect(pqsign(['verify', msg, '--sig', sig, '--key', pubs]).code).toBe(0);
    // the composite SPKI of the two parts, as a file; Bouncy Castle verifies with it
    const spki = join(dir, 'composite.pub');
    expect(pqsign(['pubkey', '--key', pubs, '--out', spki]).code).toBe(0);
    expect(pqsign(['verify', msg, '--sig', sig, '--key', spki]).code).toBe(0);
    if (HAVE_SHARED) expect(oracle(['--impl', 'bc186', 'verify', 'MLDSA65-ECDSA-P256-SHA512', spki, sig, msg]).ok).toBe(true);
    // the ML-DSA part alone, or the EC key alone, is not the signer
    expect(pqsign(['verify', msg, '--sig', sig, '--key', join(dir, 'ml65.pub')]).code).toBe(1);
  });

  it('a traditional key that fits no composite with this ML-DSA set, or an --alg it does not fit, is refused (exit 2)', () => {
    const p521 = ecKey('secp521r1', 'p521');
    const r = pqsign(['sign', msg, '--key', `${ml}+${p521.key}`, '--out', join(dir, 'x.sig')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no composite algorithm pairs ML-DSA-65/);
    const wrong = pqsign(['sign', msg, '--key', `${ml}+${ec.key}`, '--alg', 'MLDSA65-ECDSA-P384-SHA512', '--out', join(dir, 'y.sig')]);
    expect(wrong.code).toBe(2);
  });

  it("ML-DSA part in KMS (EXTERNAL_MU of M' with ctx = Label) + local ECDSA: signs, verifies, Bouncy Castle agrees", async () => {
    const kms = await startTestKms();
    await kms.createKey('ML_DSA_65', 'alias/fw-mldsa');
    const ref = `${kms.ref('alias/fw-mldsa')}+${ec.key}`;
    const sig = join(dir, 'kms.sig');
    const s = await pqsignAsync(['sign', msg, '--key', ref, '--out', sig], { env: kms.env });
    expect(s.code, s.stderr).toBe(0);
    expect(kms.log.some((l) => l.startsWith('Sign EXTERNAL_MU 200'))).toBe(true);
    const spki = join(dir, 'kms-composite.pub');
    const p = await pqsignAsync(['pubkey', '--key', ref, '--out', spki], { env: kms.env });
    expect(p.code, p.stderr).toBe(0);
    expect(pqsign(['verify', msg, '--sig', sig, '--key', spki]).code).toBe(0);
    if (HAVE_SHARED) expect(oracle(['--impl', 'bc186', 'verify', 'MLDSA65-ECDSA-P256-SHA512', spki, sig, msg]).ok).toBe(true);
  });
});
