// Keys at the command line: an inconsistent key is one line naming it (exit 2, nothing on stdout), keygen
// --encrypt (0600) and the passphrase from the environment or --passphrase-file, --key-form with --der and
// --pub, no overwrite without --force, pubkey --json and --format hex. The encodings themselves (RFC 9881
// example keys in every form, the inconsistent keys, encrypted PKCS#8, raw bytes, the C array) are checked
// in-process in test/unit/keys/keys.test.ts.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAVE_SHARED, NO_SHARED, hex, pqsign, tempDir } from '../support/helpers.js';
import { LAMPS_CERTS } from '../support/vectors.js';
import { writeKeyPair } from '../support/inproc.js';
import { loadKeyFile } from '../../src/keys/load.js';
import { keyFingerprint } from '../../src/keys/fingerprint.js';

describe.skipIf(!HAVE_SHARED)(`RFC 9881's inconsistent keys (${HAVE_SHARED ? 'from ../shared' : NO_SHARED})`, () => {
  it('pubkey --key bad-ML-DSA-44-1.priv: exit 2, one line naming the file, nothing on stdout (all three: the unit file)', () => {
    const r = pqsign(['pubkey', '--key', join(LAMPS_CERTS, 'bad-ML-DSA-44-1.priv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad-ML-DSA-44-1\.priv: inconsistent/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });
});

describe('encrypted PKCS#8 at the command line', () => {
  it('keygen --encrypt writes 0600, sign needs the passphrase', () => {
    const dir = tempDir();
    const k = join(dir, 'enc.pem');
    const pf = join(dir, 'pass.txt');
    writeFileSync(pf, 's3cret passphrase\n');
    expect(pqsign(['keygen', '--alg', 'ML-DSA-44', '--encrypt', '--passphrase-file', pf, '--out', k]).code).toBe(0);
    expect(statSync(k).mode & 0o777).toBe(0o600);
    expect(readFileSync(k, 'utf8')).toMatch(/BEGIN ENCRYPTED PRIVATE KEY/);
    const msg = join(dir, 'm.bin');
    writeFileSync(msg, 'hello');
    const none = pqsign(['sign', msg, '--key', k], { env: { PQSIGN_PASSPHRASE: '' } });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/needs a passphrase/);
    const bad = pqsign(['sign', msg, '--key', k], { env: { PQSIGN_PASSPHRASE: 'nope' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/enc\.pem: wrong passphrase/);
    const ok = pqsign(['sign', msg, '--key', k], { env: { PQSIGN_PASSPHRASE: 's3cret passphrase' } });
    expect(ok.code).toBe(0);
    expect(pqsign(['verify', msg, '--key', k, '--passphrase-file', pf]).code).toBe(0);
  });
});

describe('keygen and pubkey flags', () => {
  it('keygen --key-form expanded --der --pub writes what it says; it loads to the same key (every form: the unit file)', async () => {
    const dir = tempDir();
    const out = join(dir, 'expanded.der');
    expect(
      pqsign(['keygen', '--alg', 'ML-DSA-87', '--key-form', 'expanded', '--der', '--out', out, '--pub', join(dir, 'expanded.pub')]).code,
    ).toBe(0);
    expect(readFileSync(out)[0]).toBe(0x30); // DER, not PEM
    const k = await loadKeyFile(out);
    const pub = await loadKeyFile(join(dir, 'expanded.pub'));
    expect(k.kind === 'private' && k.key.form).toBe('expanded');
    expect(hex(k.key.publicKey)).toBe(hex(pub.key.publicKey));
  });

  it('refuses to overwrite an existing key without --force', () => {
    const dir = tempDir();
    const out = join(dir, 'k.pem');
    writeKeyPair(out, undefined);
    const before = readFileSync(out, 'utf8');
    const again = pqsign(['keygen', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
    expect(readFileSync(out, 'utf8')).toBe(before);
  });

  it('pubkey --json gives the key fingerprint, --format hex the raw key', () => {
    const dir = tempDir();
    const out = join(dir, 'k.pem');
    const publicKey = writeKeyPair(out, undefined, 'ML-DSA-44');
    expect(JSON.parse(pqsign(['pubkey', '--key', out, '--json']).stdout)).toMatchObject({
      algorithm: 'ML-DSA-44',
      keyFingerprint: keyFingerprint(publicKey),
    });
    expect(pqsign(['pubkey', '--key', out, '--format', 'hex']).stdout.trim()).toBe(hex(publicKey));
  });
});
