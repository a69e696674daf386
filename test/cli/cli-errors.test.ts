// Bad input: one line naming the file and the problem, the documented exit code, nothing half-written.
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pqsign, tempDir } from '../support/helpers.js';

const isRoot = process.getuid?.() === 0;
// As root the unreadable-file test runs the CLI as nobody, who must be able to reach node and the checkout
// (not so in a clone under a 0700 directory such as /root or a mktemp -d).
const NOBODY_RUNS_CLI = !isRoot || pqsign(['--version'], { uid: 65534, gid: 65534 }).code === 0;
const NO_NOBODY = 'running as root and user nobody (65534) cannot run node or reach this checkout: the permission test is skipped';
if (!NOBODY_RUNS_CLI) console.warn(`SKIP: ${NO_NOBODY}`);

function oneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('CLI errors', () => {
  const dir = tempDir();
  const key = join(dir, 'k.pem');
  const pub = join(dir, 'k.pub');
  const key44 = join(dir, 'k44.pem');
  const msg = join(dir, 'msg.bin');
  writeFileSync(msg, 'firmware bytes');
  pqsign(['keygen', '--out', key, '--pub', pub]);
  pqsign(['keygen', '--alg', 'ML-DSA-44', '--out', key44]);
  pqsign(['sign', msg, '--key', key]);
  const sig = readFileSync(`${msg}.sig`);

  it('signs and verifies, and a modified file is exit 1', () => {
    expect(pqsign(['verify', msg, '--key', pub]).code).toBe(0);
    const other = join(dir, 'other.bin');
    writeFileSync(other, 'firmware bytez');
    const r = pqsign(['verify', other, '--sig', `${msg}.sig`, '--key', pub]);
    expect(r.code).toBe(1);
    oneLine(r.stderr, /msg\.bin\.sig: signature does not verify/);
  });

  it('truncated, oversized and empty signatures are exit 2', () => {
    for (const [name, bytes] of [
      ['trunc', sig.subarray(0, 100)],
      ['over', Buffer.concat([sig, Buffer.of(0)])],
      ['empty', Buffer.alloc(0)],
    ] as const) {
      const f = join(dir, `${name}.sig`);
      writeFileSync(f, bytes);
      const r = pqsign(['verify', msg, '--sig', f, '--key', pub]);
      expect(r.code, name).toBe(2);
      oneLine(r.stderr, new RegExp(`${name}\\.sig: is \\d+ bytes; an ML-DSA-65 signature is 3309 bytes`));
    }
  });

  it('a signature of another parameter set than the pinned key is "not by whom you trust": exit 1', () => {
    const s44 = join(dir, 'msg44.sig');
    pqsign(['sign', msg, '--key', key44, '--out', s44]);
    const r = pqsign(['verify', msg, '--sig', s44, '--key', pub]);
    expect(r.code).toBe(1);
    oneLine(r.stderr, /msg44\.sig: is an ML-DSA-44 signature but the pinned key is ML-DSA-65/);
  });

  it('truncated, oversized, empty and garbage keys are exit 2', () => {
    const pem = readFileSync(key, 'utf8');
    const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');
    const cases: [string, Buffer | string, RegExp][] = [
      ['trunc.der', der.subarray(0, der.length - 3), /trunc\.der: /],
      ['over.der', Buffer.concat([der, Buffer.of(0, 0)]), /over\.der: /],
      ['empty.pem', '', /empty\.pem: key file is empty/],
      ['garbage.pem', '-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n', /garbage\.pem: .*invalid base64/],
      [
        'rsa.pem',
        '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBQXy8Ko9bIq0ET/Kci5k0c8k6V8E2i7o7hSgG9cqsZL\n-----END PRIVATE KEY-----\n',
        /rsa\.pem: not an ML-DSA private key \(algorithm 1\.3\.101\.112\)/,
      ],
    ];
    for (const [name, data, re] of cases) {
      const f = join(dir, name);
      writeFileSync(f, data);
      const r = pqsign(['sign', msg, '--key', f, '--out', join(dir, 'never.sig')]);
      expect(r.code, name).toBe(2);
      oneLine(r.stderr, re);
    }
    expect(readdirSync(dir).filter((f) => f.startsWith('never') || f.includes('.tmp-'))).toEqual([]);
  });

  it('missing files, directories and a public key for signing are exit 2', () => {
    let r = pqsign(['sign', join(dir, 'nope.bin'), '--key', key]);
    expect(r.code).toBe(2);
    oneLine(r.stderr, /nope\.bin: no such file/);
    r = pqsign(['sign', dir, '--key', key]);
    expect(r.code).toBe(2);
    oneLine(r.stderr, /is a directory, expected a file/);
    r = pqsign(['sign', msg, '--key', dir]);
    expect(r.code).toBe(2);
    oneLine(r.stderr, /is a directory/);
    r = pqsign(['sign', msg, '--key', pub]);
    expect(r.code).toBe(2);
    oneLine(r.stderr, /k\.pub: signing needs a private key/);
    r = pqsign(['verify', join(dir, 'unsigned.bin'), '--key', pub]);
    expect(r.code).toBe(2);
  });

  it.skipIf(!NOBODY_RUNS_CLI)(`unreadable files are exit 2 with "permission denied"${NOBODY_RUNS_CLI ? '' : ` (${NO_NOBODY})`}`, () => {
    const f = join(dir, 'secret.bin');
    writeFileSync(f, 'x');
    chmodSync(f, 0o000);
    chmodSync(dir, 0o755);
    // root reads anything: run the CLI as nobody then (uid 65534)
    const as = isRoot ? { uid: 65534, gid: 65534 } : {};
    const r = pqsign(['mu', f, '--key', pub], as);
    expect(r.code).toBe(2);
    oneLine(r.stderr, /secret\.bin: permission denied/);
  });

  it('a context over 255 bytes and bad hex are usage errors', () => {
    let r = pqsign(['sign', msg, '--key', key, '--context', 'ab'.repeat(256), '--out', join(dir, 'c.sig')]);
    expect(r.code).toBe(2);
    oneLine(r.stderr, /context is 256 bytes; FIPS 204 allows at most 255/);
    r = pqsign(['sign', msg, '--key', key, '--context', 'xyz']);
    expect(r.code).toBe(2);
    oneLine(r.stderr, /--context is not valid hex/);
  });

  it('an output that cannot be written leaves nothing behind and the input untouched', () => {
    const r = pqsign(['sign', msg, '--key', key, '--out', join(dir, 'no-such-dir', 'x.sig')]);
    expect(r.code).toBe(2);
    oneLine(r.stderr, /x\.sig: cannot write output/);
    expect(readFileSync(msg, 'utf8')).toBe('firmware bytes');
  });

  it('several files: --json reports each, the exit code is the worst', () => {
    const good = join(dir, 'good.bin');
    writeFileSync(good, 'good');
    mkdirSync(join(dir, 'out'), { recursive: true });
    const r = pqsign(['sign', good, join(dir, 'missing.bin'), msg, '--key', key, '--out-dir', join(dir, 'out'), '--json']);
    expect(r.code).toBe(2);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.ok)).toEqual([true, false, true]);
    expect(lines[1].error.code).toBe('ERR_FILE');
    expect(lines[0].output).toBe(join(dir, 'out', 'good.bin.sig'));
    const v = pqsign(['verify', good, msg, '--key', pub, '--json'], {});
    // good.bin was signed into out/, so it has no good.bin.sig beside it
    const vl = v.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(vl.map((l) => l.ok)).toEqual([false, true]);
    expect(v.code).toBe(2);
  });

  it('usage errors are exit 2 without a stack trace', () => {
    const r = pqsign(['sign', msg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Missing required argument: key/);
    expect(pqsign(['frobnicate']).code).toBe(2);
  });
});
