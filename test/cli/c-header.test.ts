// `pubkey --format c` at the command line: the historical names on stdout, the symbol from the --out file
// name, --symbol, and --symbol's refusals (exit 2, one line, nothing written). What the header holds, which
// symbols are refused and the headers compiled together with cc: test/unit/keys/c-header.test.ts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { keyFingerprint } from '../../src/keys/fingerprint.js';
import { pqsign, tempDir } from '../support/helpers.js';
import { writeKeyPair } from '../support/inproc.js';

describe('C headers', () => {
  const dir = tempDir('pqsign-c-');
  const root = join(dir, 'root.pem');
  const release = join(dir, 'release.pem');
  const fingerprint = (k: string) => keyFingerprint(keys.get(k)!);
  const keys = new Map<string, Uint8Array>();
  beforeAll(() => {
    keys.set(root, writeKeyPair(root, undefined, 'ML-DSA-87'));
    keys.set(release, writeKeyPair(release, undefined, 'ML-DSA-65'));
  });

  it('stdout: the historical names; --out: the symbol from the file name; --symbol: the one given', () => {
    expect(pqsign(['pubkey', '--key', root, '--format', 'c']).stdout).toMatch(
      /^static const uint8_t pqsign_pubkey\[PQSIGN_PUBKEY_LEN\] = \{$/m,
    );
    const rootH = join(dir, 'root-key.h');
    const releaseH = join(dir, 'release.h');
    expect(pqsign(['pubkey', '--key', root, '--format', 'c', '--out', rootH]).code).toBe(0);
    const r = pqsign(['pubkey', '--key', release, '--format', 'c', '--symbol', 'release_pubkey', '--out', releaseH]);
    expect(r.code, r.stderr).toBe(0);
    const header = readFileSync(rootH, 'utf8');
    expect(header).toContain(`SHA-256 fingerprint: ${fingerprint(root)}`);
    expect(header).toMatch(/^#ifndef ROOT_KEY_H\n#define ROOT_KEY_H$/m);
    expect(header).toMatch(/^#define ROOT_KEY_ALG "ML-DSA-87"$/m);
    expect(readFileSync(releaseH, 'utf8')).toMatch(/^static const uint8_t release_pubkey\[RELEASE_PUBKEY_LEN\] = \{$/m);
  });

  it('--symbol must be a C identifier that is not reserved or a keyword, and only goes with --format c (exit 2, nothing written)', () => {
    const out = join(dir, 'bad.h');
    // one refused symbol (every rule: the unit file)
    for (const [symbol, why] of [['2fast', 'is not a C identifier']]) {
      const r = pqsign(['pubkey', '--key', root, '--format', 'c', '--symbol', symbol!, '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`pqsign: --symbol "${symbol}" ${why}`);
    }
    const pem = pqsign(['pubkey', '--key', root, '--symbol', 'root', '--out', out]);
    expect(pem.code).toBe(2);
    expect(pem.stderr).toBe('pqsign: --symbol is for --format c\n');
    expect(existsSync(out)).toBe(false);
  });
});
