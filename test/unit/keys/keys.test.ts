// Key encodings in this process: RFC 9881 example keys in every form, the inconsistent keys (exit 2, naming
// the file), what pqsign writes, encrypted PKCS#8, key forms, public keys from SPKI, certificates and raw
// bytes, and the C array of a public key with its SHA-256. keygen's and pubkey's flags, passphrases and
// refusals at the command line are test/cli/keys.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAVE_SHARED, NO_SHARED, hex, tempDir } from '../../support/helpers.js';
import { LAMPS_CERTS } from '../../support/vectors.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { failure, writeKeyPair } from '../../support/inproc.js';
import { PUBLIC_KEY_ENCODERS } from '../../../src/keys/export.js';
import { keyFingerprint } from '../../../src/keys/fingerprint.js';
import { loadPublicKey } from '../../../src/pipeline/keyref.js';
import { loadKeyBytes, loadKeyFile } from '../../../src/keys/load.js';
import { decryptPkcs8, encryptPkcs8 } from '../../../src/keys/pbes2.js';
import { encodePkcs8, parsePkcs8 } from '../../../src/keys/pkcs8.js';
import { decodePem } from '../../../src/asn1/pem.js';
import { keygenFromSeed } from '../../../src/mldsa/mldsa.js';
import { PARAM_SETS } from '../../../src/mldsa/params.js';

const SEED = Uint8Array.from({ length: 32 }, (_, i) => i); // RFC 9881 examples derive from 00..1f

describe.skipIf(!HAVE_SHARED)(`RFC 9881 example keys (${HAVE_SHARED ? 'from ../shared' : NO_SHARED})`, () => {
  for (const p of PARAM_SETS) {
    const expected = keygenFromSeed(p, SEED);
    for (const form of ['seed', 'expanded', 'both'] as const) {
      it(`${p.name} ${form} form loads and gives the example's public key`, async () => {
        const k = await loadKeyFile(join(LAMPS_CERTS, `${p.name}-${form}.priv`));
        expect(k.kind).toBe('private');
        if (k.kind !== 'private') return;
        expect(k.key.params.name).toBe(p.name);
        expect(k.key.form).toBe(form);
        expect(hex(k.key.publicKey)).toBe(hex(expected.publicKey));
        expect(hex(k.key.secretKey)).toBe(hex(expected.secretKey));
      });
    }
    it(`${p.name} SPKI and certificate give the same public key`, async () => {
      for (const f of [`${p.name}.pub`, `${p.name}.crt`]) {
        const k = await loadKeyFile(join(LAMPS_CERTS, f));
        expect(k.kind).toBe('public');
        expect(hex(k.key.publicKey)).toBe(hex(expected.publicKey));
      }
    });
    it(`${p.name}: pqsign writes the example's exact seed and both encodings`, async () => {
      const k = await loadKeyFile(join(LAMPS_CERTS, `${p.name}-seed.priv`));
      if (k.kind !== 'private') throw new Error('expected private');
      for (const form of ['seed', 'expanded', 'both'] as const) {
        const theirs = decodePem(readFileSync(join(LAMPS_CERTS, `${p.name}-${form}.priv`)))[0]!.der;
        expect(hex(encodePkcs8(k.key, form)), form).toBe(hex(theirs));
      }
    });
  }

  for (const n of [1, 2, 3]) {
    it(`bad-ML-DSA-44-${n}.priv is rejected with a clear error and exit 2`, async () => {
      const file = join(LAMPS_CERTS, `bad-ML-DSA-44-${n}.priv`);
      await expect(loadKeyFile(file)).rejects.toMatchObject({ code: 'ERR_KEY_MISMATCH' });
      // what `pubkey --key FILE` meets: exit 2, the file named, one line
      const f = await failure(loadPublicKey(file));
      expect(exitOfCode(f.code)).toBe(2);
      expect(f.file).toBe(file);
      expect(f.message).toMatch(/^inconsistent/);
      expect(f.message).not.toContain('\n');
    });
  }
});

describe('encrypted PKCS#8 (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC)', () => {
  const key = { params: PARAM_SETS[0]!, seed: SEED, ...keygenFromSeed(PARAM_SETS[0]!, SEED), form: 'seed' as const };
  const plain = encodePkcs8(key, 'seed');

  it('round-trips and a wrong passphrase is ERR_PASSPHRASE', () => {
    const enc = encryptPkcs8(plain, 'correct horse', 1000);
    expect(hex(decryptPkcs8(enc, 'correct horse'))).toBe(hex(plain));
    let wrong = 0;
    for (let i = 0; i < 20; i++) {
      try {
        parsePkcs8(decryptPkcs8(enc, `wrong ${i}`));
      } catch {
        wrong++;
      }
    }
    expect(wrong).toBe(20);
  });
});

describe('key forms and raw encodings', () => {
  it('each key form (seed, expanded, both) is written as it says and loads to the same key', async () => {
    const dir = tempDir();
    for (const form of ['seed', 'expanded', 'both'] as const) {
      const out = join(dir, `${form}.pem`);
      writeKeyPair(out, join(dir, `${form}.pub`), 'ML-DSA-87', form);
      const k = await loadKeyFile(out);
      const pub = await loadKeyFile(join(dir, `${form}.pub`));
      expect(k.kind === 'private' && k.key.form).toBe(form);
      expect(hex(k.key.publicKey)).toBe(hex(pub.key.publicKey));
    }
  });

  it('a raw 32-byte seed needs --alg; a raw public key is recognised by its length', async () => {
    await expect(loadKeyBytes(SEED, 'seed.bin')).rejects.toMatchObject({ code: 'ERR_USAGE' });
    const k = await loadKeyBytes(SEED, 'seed.bin', { alg: 'ML-DSA-65' });
    expect(k.kind === 'private' && k.key.form).toBe('bare-seed');
    const pub = await loadKeyBytes(k.key.publicKey, 'pk.bin');
    expect(pub.kind).toBe('public');
    expect(pub.kind === 'public' && pub.key.params.name).toBe('ML-DSA-65');
  });

  it('the C encoding holds the key bytes and their SHA-256', async () => {
    const dir = tempDir();
    const out = join(dir, 'k.pem');
    writeKeyPair(out, undefined, 'ML-DSA-44');
    const key = await loadPublicKey(out);
    const c = (await PUBLIC_KEY_ENCODERS.c!(key, {})) as string;
    expect(c).toMatch(/PQSIGN_PUBKEY_LEN 1312u/);
    const bytes = (c.match(/0x[0-9a-f]{2}/g) ?? []).map((b) => b.slice(2)).join('');
    expect(bytes).toBe(hex(key.publicKey) + keyFingerprint(key.publicKey));
  });
});
