// C headers of public keys (src/keys/c-header.ts) in this process: symbols from file names, which symbols
// are refused, and two headers (a root and a release key) compiled into one C program with the system's cc;
// the program prints the arrays it was built with, which must be the keys' bytes. `pubkey --format c
// [--symbol] [--out]` at the command line is test/cli/c-header.test.ts.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cHeader, cSymbolForFile, cSymbolProblem } from '../../../src/keys/c-header.js';
import { keyFingerprint } from '../../../src/keys/fingerprint.js';
import type { PublicKey } from '../../../src/keys/spki.js';
import { loadPublicKey } from '../../../src/pipeline/keyref.js';
import { hex, tempDir } from '../../support/helpers.js';
import { writeKeyPair } from '../../support/inproc.js';

const HAVE_CC = spawnSync('cc', ['--version']).status === 0;
const NO_CC = 'no C compiler (cc) on PATH: the C header compile test is skipped';
if (!HAVE_CC) console.warn(`SKIP: ${NO_CC}`);

describe('C headers', () => {
  const dir = tempDir('pqsign-c-');
  const root = join(dir, 'root.pem');
  const release = join(dir, 'release.pem');
  const keys = new Map<string, PublicKey>();
  const keyHex = (k: string) => hex(keys.get(k)!.publicKey);
  const fingerprint = (k: string) => keyFingerprint(keys.get(k)!.publicKey);
  beforeAll(async () => {
    writeKeyPair(root, undefined, 'ML-DSA-87');
    writeKeyPair(release, undefined, 'ML-DSA-65');
    for (const k of [root, release]) keys.set(k, await loadPublicKey(k));
  });

  it('default symbols come from the --out file name, as valid C identifiers', () => {
    expect(cSymbolForFile('keys/root-key.h')).toBe('root_key');
    expect(cSymbolForFile('release.v2.h')).toBe('release_v2');
    expect(cSymbolForFile('2nd.h')).toBe('pqsign_2nd');
    expect(cSymbolForFile('int.h')).toBe('pqsign_int');
    expect(cSymbolForFile('_Key.h')).toBe('pqsign__Key');
    expect(cSymbolForFile('.h')).toBe('pqsign_pubkey');
    // no symbol: the historical names
    expect(cHeader(keys.get(root)!)).toMatch(/^static const uint8_t pqsign_pubkey\[PQSIGN_PUBKEY_LEN\] = \{$/m);
  });

  it('a symbol must be a C identifier that is not reserved or a keyword', () => {
    for (const [symbol, why] of [
      ['2fast', 'is not a C identifier'],
      ['root-key', 'is not a C identifier'],
      ['static', 'is a C keyword'],
      ['__key', 'is reserved'],
    ])
      expect(cSymbolProblem(symbol!), symbol).toMatch(new RegExp(`^${why}`));
    expect(cSymbolProblem('release_pubkey')).toBeUndefined();
  });

  it.skipIf(!HAVE_CC)(
    `root and release headers compile together (include guards, distinct symbols), their bytes are the keys${HAVE_CC ? '' : ` (${NO_CC})`}`,
    () => {
      const rootH = join(dir, 'root-key.h');
      const releaseH = join(dir, 'release.h');
      writeFileSync(rootH, cHeader(keys.get(root)!, cSymbolForFile(rootH)));
      writeFileSync(releaseH, cHeader(keys.get(release)!, 'release_pubkey'));
      const header = readFileSync(rootH, 'utf8');
      expect(header).toContain(`SHA-256 fingerprint: ${fingerprint(root)}`);
      expect(header).toMatch(/^#ifndef ROOT_KEY_H\n#define ROOT_KEY_H$/m);
      expect(header).toMatch(/^#define ROOT_KEY_ALG "ML-DSA-87"$/m);
      const main = join(dir, 'main.c');
      writeFileSync(
        main,
        `#include <stdio.h>
#include "root-key.h"
#include "release.h"
#include "root-key.h" /* a second include is a no-op */

static void dump(const char *name, const uint8_t *p, unsigned n) {
  printf("%s ", name);
  for (unsigned i = 0; i < n; i++) printf("%02x", p[i]);
  printf("\\n");
}

int main(void) {
  dump(ROOT_KEY_ALG, root_key, ROOT_KEY_LEN);
  dump("root-sha256", root_key_sha256, sizeof root_key_sha256);
  dump(RELEASE_PUBKEY_ALG, release_pubkey, RELEASE_PUBKEY_LEN);
  dump("release-sha256", release_pubkey_sha256, sizeof release_pubkey_sha256);
  return 0;
}
`,
      );
      const exe = join(dir, 'keys');
      const cc = spawnSync('cc', ['-std=c99', '-pedantic', '-Wall', '-Wextra', '-Werror', '-o', exe, main], { cwd: dir, encoding: 'utf8' });
      expect(cc.status, cc.stderr).toBe(0);
      const out = spawnSync(exe, { encoding: 'utf8' }).stdout;
      expect(out).toBe(
        [
          `ML-DSA-87 ${keyHex(root)}`,
          `root-sha256 ${fingerprint(root)}`,
          `ML-DSA-65 ${keyHex(release)}`,
          `release-sha256 ${fingerprint(release)}`,
          '',
        ].join('\n'),
      );
      // const arrays are read-only data (ROM/flash on a microcontroller), not initialised RAM
      const obj = join(dir, 'main.o');
      expect(spawnSync('cc', ['-std=c99', '-c', '-o', obj, main], { cwd: dir }).status).toBe(0);
      const nm = spawnSync('nm', [obj], { encoding: 'utf8' });
      if (nm.status === 0) {
        const kinds = Object.fromEntries(
          nm.stdout
            .split('\n')
            .map((l) => l.trim().split(/\s+/))
            .filter((f) => f.length === 3)
            .map(([, t, n]) => [n, t]),
        );
        expect([kinds.root_key, kinds.release_pubkey, kinds.root_key_sha256]).toEqual(['r', 'r', 'r']);
      }
    },
  );
  if (!HAVE_CC) it.skip(NO_CC, () => undefined);
});
