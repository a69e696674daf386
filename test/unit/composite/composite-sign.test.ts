// Composite ML-DSA raw signatures in this process, checked by Bouncy Castle 1.86 (`oracle --impl bc186`,
// which implements the final draft): pqsign's keys and raw signatures are accepted by it, and pqsign
// verifies what it signs. Also the fail-closed rules: both parts must verify, a composite key pins
// composite signatures only, the context is bound, formats that cannot carry a composite refuse it.
// Error codes stand for exit codes (README's table). The command line's side is test/cli/composite-cli.test.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verify } from '../../../lib/verify.js';
import { COMPOSITE_ALGS, compositeByName } from '../../../src/composite/params.js';
import { keyFingerprint } from '../../../src/keys/fingerprint.js';
import { loadPublicKey } from '../../../src/pipeline/keyref.js';
import { compositeKeyFiles } from '../../support/composite-keys.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { HAVE_SHARED, NO_SHARED, oracle, tempDir } from '../../support/helpers.js';
import { failure, keygenFiles, outcome, signWith, verifyWith } from '../../support/inproc.js';

// the algorithms issue 16 asks for; the vector test covers all 18 composites
const REQUIRED = [
  'MLDSA44-ECDSA-P256-SHA256',
  'MLDSA65-ECDSA-P256-SHA512',
  'MLDSA65-ECDSA-P384-SHA512',
  'MLDSA87-ECDSA-P384-SHA512',
  'MLDSA87-ECDSA-P521-SHA512',
  'MLDSA44-Ed25519-SHA512',
  'MLDSA65-Ed25519-SHA512',
];
const ALG = 'MLDSA65-ECDSA-P256-SHA512';
const ML_DSA_65_SIG = 3309;

const dir = tempDir('pqsign-composite-unit-');
const at = (f: string) => join(dir, f);
const msg = at('fw.bin');
writeFileSync(msg, Buffer.alloc(300_000, 7));
const k = compositeKeyFiles(dir, 'default', ALG);

/** the error code of verifying MSG's detached SIG under KEY, and the exit code it stands for */
async function verdict(sig: string, key: string, context?: string): Promise<{ code: string; exit: number }> {
  const code = await outcome(verifyWith(msg, key, { sig, context }));
  return { code, exit: code === 'ok' ? 0 : exitOfCode(code) };
}
const invalid = { code: 'ERR_SIGNATURE_INVALID', exit: 1 };

describe('composite keys and raw signatures', () => {
  it('every table row is a keygen --alg name', () => {
    expect(COMPOSITE_ALGS).toHaveLength(18);
    for (const a of REQUIRED) expect(compositeByName(a)?.name).toBe(a);
  });

  it('signs and verifies; the outcome names the composite algorithm and the fingerprint of the raw composite key', async () => {
    const out = at('a.sig');
    expect((await signWith(msg, k.key, { out })).algorithm).toBe(ALG);
    const v = await verifyWith(msg, k.pub, { sig: out });
    expect(v.details.composite).toBe(ALG);
    expect(v.keyFingerprint).toBe(keyFingerprint(k.priv.publicKey));
    expect(v.keyFingerprint).toBe(keyFingerprint((await loadPublicKey(k.pub, {}, { composite: true })).publicKey));
    // keySha256 (--key-sha256) pins the same fingerprint, and refuses another
    await verify({ input: msg, signature: out, keys: k.pub, keySha256: v.keyFingerprint });
    const other = await failure(verify({ input: msg, signature: out, keys: k.pub, keySha256: 'ab'.repeat(32) }));
    expect(exitOfCode(other.code)).toBe(1);
  });

  it('attack: a signature with either part altered, or stripped to its ML-DSA part, is ERR_SIGNATURE_INVALID (exit 1)', async () => {
    const out = at('b.sig');
    await signWith(msg, k.key, { out });
    const sig = readFileSync(out);
    for (const [what, bad] of [
      ['ML-DSA part', 100],
      ['ECDSA part', sig.length - 3],
    ] as const) {
      const t = Buffer.from(sig);
      t[bad]! ^= 1;
      const f = at(`bad-${bad}.sig`);
      writeFileSync(f, t);
      expect(await verdict(f, k.pub), what).toEqual(invalid);
    }
    const stripped = at('stripped.sig');
    writeFileSync(stripped, sig.subarray(0, ML_DSA_65_SIG));
    expect((await verdict(stripped, k.pub)).exit).toBe(1);
  });

  it('attack: mixing parts of two composite keys (ML-DSA part of one, ECDSA part of the other) is exit 1', async () => {
    const k2 = compositeKeyFiles(dir, 'other', ALG);
    const a = at('m1.sig');
    const b = at('m2.sig');
    await signWith(msg, k.key, { out: a });
    await signWith(msg, k2.key, { out: b });
    const mixed = at('mixed.sig');
    writeFileSync(mixed, Buffer.concat([readFileSync(a).subarray(0, ML_DSA_65_SIG), readFileSync(b).subarray(ML_DSA_65_SIG)]));
    expect(await verdict(mixed, k.pub)).toEqual(invalid);
    expect(await verdict(mixed, k2.pub)).toEqual(invalid);
  });

  it('the context is bound; a composite key cannot sign other formats; ML-DSA-only key loading refuses it', async () => {
    const out = at('c.sig');
    await signWith(msg, k.key, { context: '6669726d77617265', out });
    expect(await verdict(out, k.pub, '6669726d77617265')).toEqual({ code: 'ok', exit: 0 });
    expect(await verdict(out, k.pub)).toEqual(invalid);
    const cose = await failure(signWith(msg, k.key, { format: 'cose', out: at('x.cose') }));
    expect(exitOfCode(cose.code)).toBe(2);
    expect(cose.message).toMatch(/cannot carry composite/);
    // what `pubkey --format jwk` (an ML-DSA-only command) loads the key with
    const ml = await failure(loadPublicKey(k.key));
    expect(exitOfCode(ml.code)).toBe(2);
    expect(ml.message).toMatch(/composite .* key; this command takes ML-DSA keys/);
  });

  it('a pure ML-DSA signature does not verify under a composite key, nor a composite one under an ML-DSA key', async () => {
    const ml = keygenFiles(dir, 'ml');
    const mlSig = at('ml.sig');
    await signWith(msg, ml.key, { out: mlSig });
    expect((await verdict(mlSig, k.pub)).exit).toBe(1);
    const cSig = at('comp.sig');
    await signWith(msg, k.key, { out: cSig });
    expect((await verdict(cSig, ml.pub)).exit).toBe(1);
  });
});

describe.skipIf(!HAVE_SHARED)(
  `Bouncy Castle 1.86 and pqsign agree on composites (${HAVE_SHARED ? 'oracle --impl bc186' : NO_SHARED})`,
  () => {
    for (const alg of REQUIRED) {
      it(`${alg}: bc186 verifies pqsign's signature (with a context too) and signs with pqsign's PKCS#8; pqsign verifies bc186's keys and signatures`, async () => {
        const kp = compositeKeyFiles(dir, `bc-${alg}`, alg);
        const sig = at(`${alg}.sig`);
        await signWith(msg, kp.key, { context: '0102', out: sig });
        const v = oracle(['--impl', 'bc186', 'verify', alg, kp.pub, sig, msg, '0102']);
        expect(v.ok, v.stdout + v.stderr).toBe(true);
        // bc186 reads pqsign's PKCS#8 and signs (empty context); pqsign verifies
        const bcSig = at(`${alg}.bc.sig`);
        const s = oracle(['--impl', 'bc186', 'sign', alg, kp.key, msg, bcSig]);
        expect(s.ok, s.stdout + s.stderr).toBe(true);
        expect(await verdict(bcSig, kp.pub)).toEqual({ code: 'ok', exit: 0 });
        // bc186's own key pair: pqsign reads its PKCS#8 and SPKI and verifies its signature
        const bk = at(`${alg}.bc.pem`);
        const bp = at(`${alg}.bc.pub`);
        expect(oracle(['--impl', 'bc186', 'keygen', alg, bk, bp]).ok).toBe(true);
        const bs = at(`${alg}.bc2.sig`);
        expect(oracle(['--impl', 'bc186', 'sign', alg, bk, msg, bs]).ok).toBe(true);
        for (const key of [bp, bk]) expect(await verdict(bs, key), key).toEqual({ code: 'ok', exit: 0 });
        // and pqsign signs with bc186's private key, which bc186 accepts
        const ps = at(`${alg}.pq-with-bc.sig`);
        await signWith(msg, bk, { out: ps });
        expect(oracle(['--impl', 'bc186', 'verify', alg, bp, ps, msg]).ok).toBe(true);
      }, 120_000);
    }
  },
);
