// File names that are not UTF-8 (src/base/fspath.ts, bin/argv.ts): the escaped string form gives back the
// exact bytes, and sign, verify and verify --recursive find such files given on the command line or
// found in a tree.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFsName, displayPath, fsPath } from '../../src/base/fspath.js';
import { CLI, pqsign, tempDir } from '../support/helpers.js';
import { spawnSync } from 'node:child_process';

const bytesOf = (p: string | Buffer) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p);

describe('the escaped form of file-name bytes', () => {
  it('gives back every byte string exactly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(bytesOf(fsPath(decodeFsName(b))).equals(Buffer.from(b))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves UTF-8 names (astral characters included) as they are', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(decodeFsName(Buffer.from(s, 'utf8'))).toBe(s);
        expect(fsPath(s)).toBe(s);
      }),
    );
    // U+100FF is the pair D800 DCFF: its low half is not an escaped byte
    expect(fsPath('\u{100FF}')).toBe('\u{100FF}');
  });

  it('escapes what strict UTF-8 refuses: stray bytes, overlongs, surrogates, truncated sequences', () => {
    const cases: Array<[number[], string]> = [
      [[0x62, 0xff, 0xfe, 0x6e], 'b\\xff\\xfen'],
      [[0xc0, 0xaf], '\\xc0\\xaf'], // overlong "/"
      [[0xed, 0xa0, 0x80], '\\xed\\xa0\\x80'], // a UTF-16 surrogate in UTF-8
      [[0xe2, 0x82], '\\xe2\\x82'], // € cut short
      [[0xf4, 0x90, 0x80, 0x80], '\\xf4\\x90\\x80\\x80'], // above U+10FFFF
      [[0xe2, 0x82, 0xac, 0x80], '€\\x80'],
    ];
    for (const [bytes, shown] of cases) {
      const s = decodeFsName(Uint8Array.from(bytes));
      expect(displayPath(s)).toBe(shown);
      expect(bytesOf(fsPath(s)).equals(Buffer.from(bytes))).toBe(true);
    }
  });
});

const dir = tempDir('pqsign-fspath-');
const badName = Buffer.from('bad\xff\xfename.bin', 'latin1');
/** The file system takes any bytes but "/" and NUL (not so on APFS, which keeps names UTF-8). */
const acceptsBytes = (() => {
  try {
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), Buffer.from('probe\xff', 'latin1')]), '');
    return true;
  } catch {
    return false;
  }
})();
const hasCmdline = existsSync('/proc/self/cmdline');
if (!acceptsBytes) console.warn('SKIP: this file system refuses file names that are not UTF-8');
if (!hasCmdline) console.warn('SKIP: no /proc/self/cmdline: arguments that are not UTF-8 are not recoverable here (bin/argv.ts)');

/** Run the CLI with arguments given as raw bytes, through a shell (spawn would send a string as UTF-8). */
function pqsignBytes(args: Array<string | Buffer>) {
  const octal = (a: string | Buffer) => [...Buffer.from(a)].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
  const script = `exec "$0" "$1" ${args.map((a) => `"$(printf '${octal(a)}')"`).join(' ')}`;
  const r = spawnSync('/bin/sh', ['-c', script, process.execPath, CLI], { cwd: dir, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!acceptsBytes)('sign and verify files whose names are not UTF-8', () => {
  const key = join(dir, 'k.pem');
  const pub = join(dir, 'k.pub');

  it.skipIf(!hasCmdline)('named on the command line', () => {
    expect(pqsign(['keygen', '--alg', 'ML-DSA-44', '--out', key, '--pub', pub]).code).toBe(0);
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), badName]), 'artifact with a Latin-1 name');
    const s = pqsignBytes(['sign', badName, '--key', key]);
    expect(s.code, s.stderr).toBe(0);
    expect(readdirSync(dir, { encoding: 'buffer' }).some((n) => n.equals(Buffer.concat([badName, Buffer.from('.sig')])))).toBe(true);
    const v = pqsignBytes(['verify', badName, '--key', pub, '--json']);
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, file: 'bad\udcff\udcfename.bin' });
    // errors show the bytes as \xNN
    const missing = pqsignBytes(['verify', Buffer.from('gone\xff.bin', 'latin1'), '--key', pub]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('pqsign: gone\\xff.bin: no such file\n');
  });

  it('found by verify --recursive', () => {
    if (!existsSync(pub)) expect(pqsign(['keygen', '--alg', 'ML-DSA-44', '--out', key, '--pub', pub, '--force']).code).toBe(0);
    const tree = join(dir, 'tree');
    mkdirSync(tree);
    const inTree = Buffer.concat([Buffer.from(`${tree}/`), badName]);
    writeFileSync(inTree, 'in a tree');
    // signed through the library-free route: a copy with a UTF-8 name, then renamed to the bytes
    const plain = join(tree, 'plain.bin');
    writeFileSync(plain, readFileSync(inTree));
    expect(pqsign(['sign', plain, '--key', key]).code).toBe(0);
    writeFileSync(Buffer.concat([inTree, Buffer.from('.sig')]), readFileSync(`${plain}.sig`));
    const r = pqsign(['verify', '--recursive', tree, '--key', pub, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const files = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).file);
    expect(files).toContain(join(tree, 'bad\udcff\udcfename.bin'));
    expect(files).toHaveLength(2);
  });
});
