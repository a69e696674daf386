// Composite ML-DSA through the CLI, checked by Bouncy Castle 1.86 (`oracle --impl bc186`, which implements
// the final draft): pqsign's keys and raw signatures are accepted by it, and pqsign verifies what it signs.
// Also the fail-closed rules: both parts must verify, a composite key pins composite signatures only.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAVE_SHARED, NO_SHARED, oracle, pqsign, tempDir } from '../support/helpers.js';
import { COMPOSITE_ALGS, compositeByName } from '../../src/composite/params.js';

// the algorithms issue 16 asks for; the vector test covers all 18 composites in-process
const REQUIRED = [
  'MLDSA44-ECDSA-P256-SHA256',
  'MLDSA65-ECDSA-P256-SHA512',
  'MLDSA65-ECDSA-P384-SHA512',
  'MLDSA87-ECDSA-P384-SHA512',
  'MLDSA87-ECDSA-P521-SHA512',
  'MLDSA44-Ed25519-SHA512',
  'MLDSA65-Ed25519-SHA512',
];

const dir = tempDir('pqsign-composite-');
const msg = join(dir, 'fw.bin');
writeFileSync(msg, Buffer.alloc(300_000, 7));

function keygen(alg: string, name: string) {
  const key = join(dir, `${name}.pem`);
  const pub = join(dir, `${name}.pub`);
  const r = pqsign(['keygen', '--alg', alg, '--out', key, '--pub', pub]);
  expect(r.code, r.stderr).toBe(0);
  return { key, pub };
}

describe('composite keys and raw signatures (CLI)', () => {
  it('every table row is a keygen --alg name', () => {
    expect(COMPOSITE_ALGS).toHaveLength(18);
    for (const a of REQUIRED) expect(compositeByName(a)?.name).toBe(a);
  });

  const k = keygen('MLDSA65-ECDSA-P256-SHA512', 'default');

  it('signs and verifies; the JSON names the composite algorithm and the fingerprint of the raw composite key', () => {
    const out = join(dir, 'a.sig');
    expect(pqsign(['sign', msg, '--key', k.key, '--out', out]).code).toBe(0);
    const r = pqsign(['verify', msg, '--sig', out, '--key', k.pub, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.algorithm).toBe('MLDSA65-ECDSA-P256-SHA512');
    const kg = JSON.parse(pqsign(['keygen', '--alg', 'MLDSA44-Ed25519-SHA512', '--out', join(dir, 'x.pem'), '--json']).stdout);
    expect(kg.keyFingerprint).toMatch(/^[0-9a-f]{64}$/);
    // --key-sha256 pins the same fingerprint
    expect(pqsign(['verify', msg, '--sig', out, '--key', k.pub, '--key-sha256', j.keyFingerprint]).code).toBe(0);
  });

  it('attack: a signature with either part altered, or stripped to its ML-DSA part, is exit 1', () => {
    const out = join(dir, 'b.sig');
    expect(pqsign(['sign', msg, '--key', k.key, '--out', out]).code).toBe(0);
    const sig = readFileSync(out);
    for (const [what, bad] of [
      ['ML-DSA part', 100],
      ['ECDSA part', sig.length - 3],
    ] as const) {
      const t = Buffer.from(sig);
      t[bad]! ^= 1;
      const f = join(dir, `bad-${bad}.sig`);
      writeFileSync(f, t);
      const r = pqsign(['verify', msg, '--sig', f, '--key', k.pub]);
      expect(r.code, `${what}: ${r.stderr}`).toBe(1);
    }
    const stripped = join(dir, 'stripped.sig');
    writeFileSync(stripped, sig.subarray(0, 3309));
    expect(pqsign(['verify', msg, '--sig', stripped, '--key', k.pub]).code).toBe(1);
  });

  it('attack: mixing parts of two composite keys (ML-DSA part of one, ECDSA part of the other) is exit 1', () => {
    const k2 = keygen('MLDSA65-ECDSA-P256-SHA512', 'other');
    const a = join(dir, 'm1.sig');
    const b = join(dir, 'm2.sig');
    expect(pqsign(['sign', msg, '--key', k.key, '--out', a]).code).toBe(0);
    expect(pqsign(['sign', msg, '--key', k2.key, '--out', b]).code).toBe(0);
    const mixed = join(dir, 'mixed.sig');
    writeFileSync(mixed, Buffer.concat([readFileSync(a).subarray(0, 3309), readFileSync(b).subarray(3309)]));
    expect(pqsign(['verify', msg, '--sig', mixed, '--key', k.pub]).code).toBe(1);
    expect(pqsign(['verify', msg, '--sig', mixed, '--key', k2.pub]).code).toBe(1);
  });

  it('the context is bound; a composite key cannot sign other formats; ML-DSA-only commands refuse it', () => {
    const out = join(dir, 'c.sig');
    expect(pqsign(['sign', msg, '--key', k.key, '--context', '6669726d77617265', '--out', out]).code).toBe(0);
    expect(pqsign(['verify', msg, '--sig', out, '--key', k.pub, '--context', '6669726d77617265']).code).toBe(0);
    expect(pqsign(['verify', msg, '--sig', out, '--key', k.pub]).code).toBe(1);
    const cose = pqsign(['sign', msg, '--key', k.key, '--format', 'cose', '--out', join(dir, 'x.cose')]);
    expect(cose.code).toBe(2);
    expect(cose.stderr).toMatch(/cannot carry composite/);
    expect(pqsign(['pubkey', '--key', k.key, '--format', 'jwk']).stderr).toMatch(/composite .* key; this command takes ML-DSA keys/);
  });

  it('a pure ML-DSA signature does not verify under a composite key, nor a composite one under an ML-DSA key', () => {
    const ml = join(dir, 'ml.pem');
    expect(pqsign(['keygen', '--out', ml, '--pub', join(dir, 'ml.pub')]).code).toBe(0);
    const mlSig = join(dir, 'ml.sig');
    expect(pqsign(['sign', msg, '--key', ml, '--out', mlSig]).code).toBe(0);
    expect(pqsign(['verify', msg, '--sig', mlSig, '--key', k.pub]).code).toBe(1);
    const cSig = join(dir, 'comp.sig');
    expect(pqsign(['sign', msg, '--key', k.key, '--out', cSig]).code).toBe(0);
    expect(pqsign(['verify', msg, '--sig', cSig, '--key', join(dir, 'ml.pub')]).code).toBe(1);
  });

  it('an encrypted composite PKCS#8 signs after the passphrase', () => {
    const pass = join(dir, 'pass');
    writeFileSync(pass, 'correct horse\n');
    const enc = join(dir, 'enc.pem');
    expect(
      pqsign([
        'keygen',
        '--alg',
        'MLDSA44-Ed25519-SHA512',
        '--out',
        enc,
        '--pub',
        join(dir, 'enc.pub'),
        '--encrypt',
        '--passphrase-file',
        pass,
      ]).code,
    ).toBe(0);
    expect(readFileSync(enc, 'utf8')).toMatch(/ENCRYPTED PRIVATE KEY/);
    const out = join(dir, 'enc.sig');
    expect(pqsign(['sign', msg, '--key', enc, '--passphrase-file', pass, '--out', out]).code).toBe(0);
    expect(pqsign(['verify', msg, '--sig', out, '--key', join(dir, 'enc.pub')]).code).toBe(0);
  });
});

describe.skipIf(!HAVE_SHARED)(
  `Bouncy Castle 1.86 and pqsign agree on composites (${HAVE_SHARED ? 'oracle --impl bc186' : NO_SHARED})`,
  () => {
    for (const alg of REQUIRED) {
      it(`${alg}: bc186 verifies pqsign's signature (with a context too) and signs with pqsign's PKCS#8; pqsign verifies bc186's keys and signatures`, () => {
        const k = keygen(alg, `bc-${alg}`);
        const sig = join(dir, `${alg}.sig`);
        expect(pqsign(['sign', msg, '--key', k.key, '--context', '0102', '--out', sig]).code).toBe(0);
        const v = oracle(['--impl', 'bc186', 'verify', alg, k.pub, sig, msg, '0102']);
        expect(v.ok, v.stdout + v.stderr).toBe(true);
        // bc186 reads pqsign's PKCS#8 and signs (empty context); pqsign verifies
        const bcSig = join(dir, `${alg}.bc.sig`);
        const s = oracle(['--impl', 'bc186', 'sign', alg, k.key, msg, bcSig]);
        expect(s.ok, s.stdout + s.stderr).toBe(true);
        expect(pqsign(['verify', msg, '--sig', bcSig, '--key', k.pub]).code).toBe(0);
        // bc186's own key pair: pqsign reads its PKCS#8 and SPKI and verifies its signature
        const bk = join(dir, `${alg}.bc.pem`);
        const bp = join(dir, `${alg}.bc.pub`);
        expect(oracle(['--impl', 'bc186', 'keygen', alg, bk, bp]).ok).toBe(true);
        const bs = join(dir, `${alg}.bc2.sig`);
        expect(oracle(['--impl', 'bc186', 'sign', alg, bk, msg, bs]).ok).toBe(true);
        for (const key of [bp, bk]) {
          const r = pqsign(['verify', msg, '--sig', bs, '--key', key]);
          expect(r.code, r.stderr).toBe(0);
        }
        // and pqsign signs with bc186's private key, which bc186 accepts
        const ps = join(dir, `${alg}.pq-with-bc.sig`);
        expect(pqsign(['sign', msg, '--key', bk, '--out', ps]).code).toBe(0);
        expect(oracle(['--impl', 'bc186', 'verify', alg, bp, ps, msg]).ok).toBe(true);
      }, 120_000);
    }
  },
);
