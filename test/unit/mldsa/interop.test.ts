// Interop with implementations nobody here wrote: OpenSSL 3.5, OpenSSL 4.0 and Bouncy Castle 1.80,
// through ../shared/oracles/oracle. pqsign's side (keys, signing, μ, verifying) runs in this process.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAVE_SHARED, NO_SHARED, oracle, tempDir, FIRMWARE } from '../../support/helpers.js';
import { muOf, outcome, signWith, verifyWith, writeKeyPair } from '../../support/inproc.js';
import { PARAM_SETS } from '../../../src/mldsa/params.js';
import { decodePem, encodePem } from '../../../src/asn1/pem.js';
import { encryptPkcs8 } from '../../../src/keys/pbes2.js';
import { keyFingerprint } from '../../../src/keys/fingerprint.js';
import { loadPublicKey } from '../../../src/pipeline/keyref.js';

/** `pqsign pubkey --key KEY --json`'s keyFingerprint */
const fingerprintOf = async (key: string) => keyFingerprint((await loadPublicKey(key)).publicKey);

const IMPLS = ['openssl35', 'openssl40', 'bc'] as const;

describe.skipIf(!HAVE_SHARED)(`interop with OpenSSL 3.5, OpenSSL 4.0, Bouncy Castle (${HAVE_SHARED ? 'oracles' : NO_SHARED})`, () => {
  const dir = HAVE_SHARED ? tempDir() : '';
  const msg = join(dir, 'msg.bin');
  if (HAVE_SHARED) writeFileSync(msg, Buffer.from('pqsign interop message\n'.repeat(1000)));

  for (const p of PARAM_SETS) {
    it(`${p.name}: pqsign signatures (empty and non-empty context) verify under all three`, async () => {
      const key = join(dir, `${p.name}.pem`);
      const pub = join(dir, `${p.name}.pub.pem`);
      writeKeyPair(key, pub, p.name);
      for (const ctx of ['', '706173732d7468726f756768']) {
        const sig = join(dir, `${p.name}-${ctx.length}.sig`);
        expect(await signWith(FIRMWARE, key, { out: sig, context: ctx })).toMatchObject({ algorithm: p.name, format: 'raw' });
        const r = oracle(['verify', p.name, pub, sig, FIRMWARE, ...(ctx ? [ctx] : [])]);
        expect(r.stdout, r.stdout).toMatch(/openssl35\s+valid[\s\S]*openssl40\s+valid[\s\S]*bc\s+valid/);
        expect(r.ok).toBe(true);
        // and a wrong context is rejected by them too
        const wrong = oracle(['verify', p.name, pub, sig, FIRMWARE, ctx ? '' : '00']);
        expect(wrong.ok).toBe(false);
      }
    });

    it(`${p.name}: μ matches OpenSSL 4.0's`, async () => {
      const pub = join(dir, `${p.name}.pub.pem`);
      const ours = await muOf(msg, pub, '0102');
      const theirs = oracle(['mu', pub, msg, '0102']).stdout.trim();
      expect(ours).toMatch(/^[0-9a-f]{128}$/);
      expect(ours).toBe(theirs);
    });
  }

  for (const impl of IMPLS) {
    it(`keys made by ${impl} load into pqsign, and pqsign signs what all three accept`, async () => {
      const key = join(dir, `${impl}.key.pem`);
      const pub = join(dir, `${impl}.pub.pem`);
      const g = oracle(['--impl', impl, 'keygen', 'ML-DSA-65', key, pub]);
      expect(g.ok, g.stdout + g.stderr).toBe(true);
      const info = oracle(['--impl', impl, 'keyinfo', key]).stdout;
      expect(info.toLowerCase()).toContain(await fingerprintOf(key));
      const sig = join(dir, `${impl}.sig`);
      await signWith(msg, key, { out: sig });
      expect(oracle(['verify', 'ML-DSA-65', pub, sig, msg]).ok).toBe(true);
    });

    it(`${impl} signatures verify with pqsign`, async () => {
      const key = join(dir, `${impl}.key.pem`);
      const pub = join(dir, `${impl}.pub.pem`);
      const sig = join(dir, `${impl}-theirs.sig`);
      const s = oracle(['--impl', impl, 'sign', 'ML-DSA-65', key, msg, sig]);
      expect(s.ok, s.stdout + s.stderr).toBe(true);
      expect(await verifyWith(msg, pub, { sig })).toMatchObject({ format: 'raw', signature: sig });
      writeFileSync(join(dir, 'other.bin'), 'not the message');
      expect(await outcome(verifyWith(join(dir, 'other.bin'), pub, { sig }))).toBe('ERR_SIGNATURE_INVALID');
    });
  }

  // OpenSSL 4.0 as exposed by pyca/cryptography 48 reads only the seed form (its own ASN.1 parser),
  // one reason pqsign writes the seed form by default.
  const FORMS_READ = { openssl35: ['seed', 'expanded', 'both'], openssl40: ['seed'] } as const;
  for (const impl of ['openssl35', 'openssl40'] as const) {
    for (const form of FORMS_READ[impl]) {
      it(`keys written by pqsign in ${form} form load into ${impl}`, async () => {
        const key = join(dir, `pq-${form}.pem`);
        const pub = join(dir, `pq-${form}.pub`);
        writeKeyPair(key, pub, 'ML-DSA-44', form);
        const sig = join(dir, `pq-${form}-${impl}.sig`);
        const s = oracle(['--impl', impl, 'sign', 'ML-DSA-44', key, msg, sig]);
        expect(s.ok, s.stdout + s.stderr).toBe(true);
        expect(await verifyWith(msg, pub, { sig })).toMatchObject({ format: 'raw' });
      });
    }
    it(`encrypted keys written by pqsign load into ${impl}`, async () => {
      const key = join(dir, `pq-enc-${impl}.pem`);
      const plain = join(dir, `pq-enc-${impl}.plain.pem`);
      writeKeyPair(plain, undefined, 'ML-DSA-44');
      // as `keygen --encrypt` writes it (PBES2, src/keys/pbes2.ts)
      writeFileSync(key, encodePem('ENCRYPTED PRIVATE KEY', encryptPkcs8(decodePem(readFileSync(plain))[0]!.der, 'interop pass')), {
        mode: 0o600,
      });
      // the library asks its caller for the passphrase (the CLI's answer comes from PQSIGN_PASSPHRASE or a file)
      const ours = { keyFingerprint: keyFingerprint((await loadPublicKey(key, { passphrase: async () => 'interop pass' })).publicKey) };
      expect(ours.keyFingerprint).toBe(await fingerprintOf(plain));
      const info = oracle(['--impl', impl, 'keyinfo', key], { ORACLE_PASSPHRASE: 'interop pass' });
      expect(info.ok, info.stdout + info.stderr).toBe(true);
      expect(info.stdout.toLowerCase()).toContain(ours.keyFingerprint);
    });
  }
});
