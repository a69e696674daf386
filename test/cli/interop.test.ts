// Interop with implementations nobody here wrote: OpenSSL 3.5, OpenSSL 4.0 and Bouncy Castle 1.80,
// through ../shared/oracles/oracle.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAVE_SHARED, NO_SHARED, oracle, pqsign, tempDir, FIRMWARE } from '../support/helpers.js';
import { PARAM_SETS } from '../../src/mldsa/params.js';

const IMPLS = ['openssl35', 'openssl40', 'bc'] as const;

describe.skipIf(!HAVE_SHARED)(`interop with OpenSSL 3.5, OpenSSL 4.0, Bouncy Castle (${HAVE_SHARED ? 'oracles' : NO_SHARED})`, () => {
  const dir = HAVE_SHARED ? tempDir() : '';
  const msg = join(dir, 'msg.bin');
  if (HAVE_SHARED) writeFileSync(msg, Buffer.from('pqsign interop message\n'.repeat(1000)));

  for (const p of PARAM_SETS) {
    it(`${p.name}: pqsign signatures (empty and non-empty context) verify under all three`, () => {
      const key = join(dir, `${p.name}.pem`);
      const pub = join(dir, `${p.name}.pub.pem`);
      expect(pqsign(['keygen', '--alg', p.name, '--out', key, '--pub', pub]).code).toBe(0);
      for (const ctx of ['', '706173732d7468726f756768']) {
        const sig = join(dir, `${p.name}-${ctx.length}.sig`);
        const args = ['sign', FIRMWARE, '--key', key, '--out', sig, ...(ctx ? ['--context', ctx] : [])];
        expect(pqsign(args).code).toBe(0);
        const r = oracle(['verify', p.name, pub, sig, FIRMWARE, ...(ctx ? [ctx] : [])]);
        expect(r.stdout, r.stdout).toMatch(/openssl35\s+valid[\s\S]*openssl40\s+valid[\s\S]*bc\s+valid/);
        expect(r.ok).toBe(true);
        // and a wrong context is rejected by them too
        const wrong = oracle(['verify', p.name, pub, sig, FIRMWARE, ctx ? '' : '00']);
        expect(wrong.ok).toBe(false);
      }
    });

    it(`${p.name}: μ matches OpenSSL 4.0's`, () => {
      const pub = join(dir, `${p.name}.pub.pem`);
      const ours = pqsign(['mu', msg, '--key', pub, '--context', '0102']).stdout.trim();
      const theirs = oracle(['mu', pub, msg, '0102']).stdout.trim();
      expect(ours).toMatch(/^[0-9a-f]{128}$/);
      expect(ours).toBe(theirs);
    });
  }

  for (const impl of IMPLS) {
    it(`keys made by ${impl} load into pqsign, and pqsign signs what all three accept`, () => {
      const key = join(dir, `${impl}.key.pem`);
      const pub = join(dir, `${impl}.pub.pem`);
      const g = oracle(['--impl', impl, 'keygen', 'ML-DSA-65', key, pub]);
      expect(g.ok, g.stdout + g.stderr).toBe(true);
      const info = oracle(['--impl', impl, 'keyinfo', key]).stdout;
      const ours = JSON.parse(pqsign(['pubkey', '--key', key, '--json']).stdout);
      expect(info.toLowerCase()).toContain(ours.keyFingerprint);
      const sig = join(dir, `${impl}.sig`);
      expect(pqsign(['sign', msg, '--key', key, '--out', sig]).code).toBe(0);
      expect(oracle(['verify', 'ML-DSA-65', pub, sig, msg]).ok).toBe(true);
    });

    it(`${impl} signatures verify with pqsign`, () => {
      const key = join(dir, `${impl}.key.pem`);
      const pub = join(dir, `${impl}.pub.pem`);
      const sig = join(dir, `${impl}-theirs.sig`);
      const s = oracle(['--impl', impl, 'sign', 'ML-DSA-65', key, msg, sig]);
      expect(s.ok, s.stdout + s.stderr).toBe(true);
      expect(pqsign(['verify', msg, '--sig', sig, '--key', pub]).code).toBe(0);
      writeFileSync(join(dir, 'other.bin'), 'not the message');
      expect(pqsign(['verify', join(dir, 'other.bin'), '--sig', sig, '--key', pub]).code).toBe(1);
    });
  }

  // OpenSSL 4.0 as exposed by pyca/cryptography 48 reads only the seed form (its own ASN.1 parser),
  // one reason pqsign writes the seed form by default.
  const FORMS_READ = { openssl35: ['seed', 'expanded', 'both'], openssl40: ['seed'] } as const;
  for (const impl of ['openssl35', 'openssl40'] as const) {
    for (const form of FORMS_READ[impl]) {
      it(`keys written by pqsign in ${form} form load into ${impl}`, () => {
        const key = join(dir, `pq-${form}.pem`);
        const pub = join(dir, `pq-${form}.pub`);
        pqsign(['keygen', '--alg', 'ML-DSA-44', '--key-form', form, '--out', key, '--pub', pub, '--force']);
        const sig = join(dir, `pq-${form}-${impl}.sig`);
        const s = oracle(['--impl', impl, 'sign', 'ML-DSA-44', key, msg, sig]);
        expect(s.ok, s.stdout + s.stderr).toBe(true);
        expect(pqsign(['verify', msg, '--sig', sig, '--key', pub]).code).toBe(0);
      });
    }
    it(`encrypted keys written by pqsign load into ${impl}`, () => {
      const key = join(dir, `pq-enc-${impl}.pem`);
      pqsign(['keygen', '--alg', 'ML-DSA-44', '--encrypt', '--out', key], { env: { PQSIGN_PASSPHRASE: 'interop pass' } });
      const ours = JSON.parse(pqsign(['pubkey', '--key', key, '--json'], { env: { PQSIGN_PASSPHRASE: 'interop pass' } }).stdout);
      const info = oracle(['--impl', impl, 'keyinfo', key], { ORACLE_PASSPHRASE: 'interop pass' });
      expect(info.ok, info.stdout + info.stderr).toBe(true);
      expect(info.stdout.toLowerCase()).toContain(ours.keyFingerprint);
    });
  }
});
