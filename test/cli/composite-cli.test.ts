// Composite ML-DSA through the command line: `keygen --alg COMPOSITE` (--json, --encrypt), `sign` and
// `verify` with --context, --json and --key-sha256, and the one-line refusals of commands and formats that
// take ML-DSA keys only. The signatures' logic and Bouncy Castle 1.86's view of them are tested in-process
// in test/unit/composite/composite-sign.test.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compositeKeyFiles } from '../support/composite-keys.js';
import { pqsign, tempDir } from '../support/helpers.js';
import { verifyWith } from '../support/inproc.js';

const dir = tempDir('pqsign-composite-');
const at = (f: string) => join(dir, f);
const msg = at('fw.bin');
writeFileSync(msg, Buffer.alloc(300_000, 7));

describe('composite keys and raw signatures (CLI)', () => {
  it('keygen --json, sign and verify --json name the composite algorithm and the raw key fingerprint; --key-sha256 pins it; --context is bound', () => {
    const key = at('k.pem');
    const pub = at('k.pub');
    const kg = pqsign(['keygen', '--alg', 'MLDSA65-ECDSA-P256-SHA512', '--out', key, '--pub', pub, '--json']);
    expect(kg.code, kg.stderr).toBe(0);
    const fp = JSON.parse(kg.stdout).keyFingerprint;
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    const out = at('a.sig');
    const s = pqsign(['sign', msg, '--key', key, '--context', '6669726d77617265', '--out', out]);
    expect(s.code, s.stderr).toBe(0);
    const r = pqsign(['verify', msg, '--sig', out, '--key', pub, '--context', '6669726d77617265', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ ok: true, algorithm: 'MLDSA65-ECDSA-P256-SHA512', keyFingerprint: fp });
    expect(pqsign(['verify', msg, '--sig', out, '--key', pub, '--context', '6669726d77617265', '--key-sha256', fp]).code).toBe(0);
    // without the context it was signed with: exit 1, one line naming the signature file
    const bad = pqsign(['verify', msg, '--sig', out, '--key', pub]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(`pqsign: ${out}: composite signature does not verify (both parts must)\n`);
  });

  it('a composite key for a format that cannot carry it, or for an ML-DSA-only command: exit 2, one line', () => {
    const k = compositeKeyFiles(dir, 'refused', 'MLDSA65-ECDSA-P256-SHA512');
    const cose = pqsign(['sign', msg, '--key', k.key, '--format', 'cose', '--out', at('x.cose')]);
    expect(cose.code).toBe(2);
    expect(cose.stderr).toMatch(/cannot carry composite/);
    expect(cose.stderr.trim().split('\n')).toHaveLength(1);
    const jwk = pqsign(['pubkey', '--key', k.key, '--format', 'jwk']);
    expect(jwk.code).toBe(2);
    expect(jwk.stderr).toMatch(/composite .* key; this command takes ML-DSA keys/);
  });

  it('an encrypted composite PKCS#8 (keygen --encrypt) signs after the passphrase', async () => {
    const pass = at('pass');
    writeFileSync(pass, 'correct horse\n');
    const enc = at('enc.pem');
    const kg = pqsign([
      'keygen',
      '--alg',
      'MLDSA44-Ed25519-SHA512',
      '--out',
      enc,
      '--pub',
      at('enc.pub'),
      '--encrypt',
      '--passphrase-file',
      pass,
    ]);
    expect(kg.code, kg.stderr).toBe(0);
    expect(readFileSync(enc, 'utf8')).toMatch(/ENCRYPTED PRIVATE KEY/);
    const out = at('enc.sig');
    expect(pqsign(['sign', msg, '--key', enc, '--passphrase-file', pass, '--out', out]).code).toBe(0);
    expect((await verifyWith(msg, at('enc.pub'), { sig: out })).details.composite).toBe('MLDSA44-Ed25519-SHA512');
  });
});
