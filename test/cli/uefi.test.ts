// pqsign sign/verify --format uefi at the command line: flag refusals, strict rejections as verify reports them,
// inspect, the worked example in the docs, and a 256 MiB payload with flat memory. Round trips, the count's
// range, every sign refusal and the oracle checks of the byte-offset reader run in-process in
// test/unit/formats/uefi.test.ts. Keys and the images under test are made in this process (set-up).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIRMWARE, pqsign, pqsignMeasured, tempDir } from '../support/helpers.js';
import { rejectionTests } from '../support/exit-codes.js';
import { writeKeyPair } from '../support/keygen.js';
import { signWith } from '../support/inproc.js';
import { ALGS, DOC, docGuidTable, flip, guidLE, readImage, variantMaker, type Alg } from '../support/uefi-image.js';
import { uefi } from '../../formats/uefi/index.js';
import { paramByName } from '../../src/mldsa/params.js';
import { isPqsignError } from '../../src/base/errors.js';

const dir = tempDir('pqsign-uefi-');

// ---- fixtures ----

const key = (alg: Alg) => join(dir, `${alg}.key.pem`);
const pub = (alg: Alg) => join(dir, `${alg}.pub.pem`);
const otherPub = join(dir, 'other-44.pub.pem');
const small = join(dir, 'small.bin');

beforeAll(() => {
  for (const alg of ALGS) writeKeyPair(key(alg), pub(alg), alg);
  writeKeyPair(join(dir, 'other-44.key.pem'), otherPub, 'ML-DSA-44');
  writeFileSync(small, randomBytes(1000));
});

const signUefi = (file: string, alg: Alg, out: string, ...extra: string[]) =>
  pqsign(['sign', file, '--key', key(alg), '--format', 'uefi', '--out', out, ...extra]);
/** an image that is a test's input, not its subject */
const signUefiInProcess = (file: string, alg: Alg, out: string, monotonicCount: string) =>
  signWith(file, key(alg), { format: 'uefi', out, options: { monotonicCount } });

describe('the commands', () => {
  it('sign --format uefi --monotonic-count, verify --json (--key and --key-sha256), strip: one round trip (the format: test/unit/formats/uefi.test.ts)', () => {
    const out = join(dir, 'cli-44.signed');
    const r = signUefi(FIRMWARE, 'ML-DSA-44', out, '--monotonic-count', '12345678901234567890');
    expect(r.code, r.stderr).toBe(0);
    const v = pqsign(['verify', out, '--key', pub('ML-DSA-44'), '--json']);
    expect(v.code, v.stderr).toBe(0);
    const j = JSON.parse(v.stdout);
    expect(j).toMatchObject({
      ok: true,
      format: 'uefi',
      algorithm: 'ML-DSA-44',
      certType: 'mldsa',
      monotonicCount: '12345678901234567890',
      payloadBytes: readFileSync(FIRMWARE).length,
    });
    expect(j.keyFingerprint).toBe(
      spawnSync('sha256sum', { input: readImage(readFileSync(out), 'ML-DSA-44').publicKey, encoding: 'utf8' }).stdout.slice(0, 64),
    );
    expect(pqsign(['verify', out, '--key-sha256', j.keyFingerprint.toUpperCase()]).code).toBe(0);
    const stripped = join(dir, 'cli-44.payload');
    expect(pqsign(['strip', out, '--out', stripped]).code).toBe(0);
    expect(readFileSync(stripped).equals(readFileSync(FIRMWARE))).toBe(true);
  });
});

describe('sign refuses (every case, and the empty payload: test/unit/formats/uefi.test.ts)', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['a missing count', [], /needs --monotonic-count/],
    ['a count given twice', ['--monotonic-count', '1', '--monotonic-count', '2'], /more than once/],
    ['a context (the CertType fixes it)', ['--monotonic-count', '1', '--context', '00'], /fixes its own ML-DSA context/],
    ['an unknown CertType name', ['--monotonic-count', '1', '--uefi-cert-type', 'rsa2048'], /unknown --uefi-cert-type "rsa2048"/],
  ];
  for (const [what, args, msg] of cases) {
    it(what, () => {
      const out = join(dir, `refused-${what.replace(/\W+/g, '-')}.signed`);
      const r = signUefi(small, 'ML-DSA-44', out, ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    });
  }
});

describe('verify rejects', () => {
  const good = join(dir, 'good-44.signed');
  let base: Buffer;
  beforeAll(async () => {
    await signUefiInProcess(small, 'ML-DSA-44', good, '5');
    base = readFileSync(good);
  });

  const variant = variantMaker(dir, () => base);
  const setU32 = (off: number, v: number) => (b: Buffer) => {
    b.writeUInt32LE(v, off);
    return b;
  };
  const setU16 = (off: number, v: number) => (b: Buffer) => {
    b.writeUInt16LE(v, off);
    return b;
  };
  const sigAt = 32 + 1312;

  const cases: Array<[string, (b: Buffer) => Buffer, number, RegExp]> = [
    ['a changed count', flip(() => 0), 1, /signature does not verify/],
    ['the top byte of the count', flip(() => 7), 1, /signature does not verify/],
    ['a changed embedded key', flip(() => 40), 1, /not the pinned key/],
    ['a changed signature', flip(() => sigAt + 100), 1, /signature does not verify/],
    ['the last signature byte', flip(() => sigAt + 2419), 1, /does not verify|not a valid/],
    ['a changed first payload byte', flip(() => 8 + 3756), 1, /signature does not verify/],
    ['a changed last payload byte', flip((b) => b.length - 1), 1, /signature does not verify/],
    ['a truncated payload', (b) => b.subarray(0, b.length - 1), 1, /signature does not verify/],
    ['an extended payload', (b) => Buffer.concat([b, Buffer.of(0)]), 1, /signature does not verify/],
    ['dwLength 0', setU32(8, 0), 2, /dwLength 0 is too small/],
    ['dwLength 24 (no CertData)', setU32(8, 24), 2, /dwLength 24 is too small/],
    ['dwLength too large', setU32(8, 0x7fffffff), 2, /dwLength 2147483647 is too large/],
    ['dwLength beyond the file', setU32(8, 3756 + 1000 + 1), 2, /reaches beyond the end of the file/],
    ['dwLength leaving no payload', setU32(8, 3756 + 1000), 2, /payload after AuthInfo is empty/],
    ['dwLength one more than the CertType needs', setU32(8, 3757), 2, /dwLength 3757 does not fit the compact ML-DSA-44 CertType \(3756/],
    ['dwLength one less', setU32(8, 3755), 2, /does not fit the compact ML-DSA-44/],
    ['wRevision 0x0100', setU16(12, 0x0100), 2, /wRevision is 0x0100, expected 0x0200/],
    ['wCertificateType 0x0EF0', setU16(14, 0x0ef0), 2, /wCertificateType is 0x0EF0, expected 0x0EF1/],
    ['an unknown CertType', (b) => (randomBytes(16).copy(b, 16), b), 2, /unknown CertType \{[0-9a-f-]{36}\}/],
    [
      'the PKCS7 CertType on compact CertData',
      (b) => (Buffer.from('9dd2af4adf68ee498aa9347d375665a7', 'hex').copy(b, 16), b),
      2,
      /PKCS7 CertData is not a ContentInfo\(SignedData\) in the form edk2's WrapPkcs7Data recognises/,
    ],
    [
      'the ML-DSA-65 CertType on ML-DSA-44 data',
      (b) => (guidLE(docGuidTable()['ML-DSA-65']!.text).copy(b, 16), b),
      2,
      /does not fit the compact ML-DSA-65/,
    ],
  ];
  rejectionTests(cases, variant, () => ['--key', pub('ML-DSA-44')]);

  it('a file shorter than the header', () => {
    const f = variant((b) => b.subarray(0, 31));
    const r = pqsign(['inspect', f, '--format', 'uefi']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/shorter than the 32-byte/);
  });

  it('an embedded key that is not the pinned key (a different signer)', () => {
    const r = pqsign(['verify', good, '--key', otherPub]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/embedded public key \(sha256 [0-9a-f]{64}\) is not the pinned key/);
    const h = pqsign(['verify', good, '--key-sha256', '00'.repeat(32)]);
    expect(h.code).toBe(1);
    expect(h.stderr).toMatch(/is not a trusted key fingerprint/);
  });

  it('a pinned key of another parameter set', () => {
    const r = pqsign(['verify', good, '--key', pub('ML-DSA-65')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/signed with ML-DSA-44 but the pinned key is ML-DSA-65/);
  });

  it('no pinned key at all, or a malformed --key-sha256', () => {
    const r = pqsign(['verify', good]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing to trust/);
    expect(pqsign(['verify', good, '--key-sha256', 'abc']).code).toBe(2);
  });

  it('a change at any offset never verifies (in-process sweep over header, key, signature, payload)', async () => {
    const params = paramByName('ML-DSA-44')!;
    const pinned = { params, publicKey: new Uint8Array(base.subarray(32, 32 + 1312)) };
    const offsets = new Set<number>();
    for (let i = 0; i < 32; i++) offsets.add(i);
    for (let i = 32; i < base.length; i += 53) offsets.add(i);
    offsets.add(base.length - 1);
    const f = join(dir, 'sweep.signed');
    const outcomes = new Map<string, number>();
    for (const off of offsets) {
      const b = Buffer.from(base);
      b[off]! ^= 0x80;
      writeFileSync(f, b);
      const code = await uefi
        .verify({
          container: f,
          payload: undefined,
          key: pinned,
          keyFingerprints: [],
          trustAnchors: [],
          context: new Uint8Array(0),
          options: {},
        })
        .then(
          () => 'VERIFIED',
          (e) => (isPqsignError(e) ? e.code : `non-user error: ${e}`),
        );
      expect(['ERR_SIGNATURE_INVALID', 'ERR_SIGNATURE_FORMAT', 'ERR_ALGORITHM', 'ERR_UNTRUSTED'], `offset ${off}`).toContain(code);
      outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
    }
    expect(outcomes.get('ERR_SIGNATURE_INVALID')).toBeGreaterThan(50);
    expect(outcomes.get('ERR_SIGNATURE_FORMAT')).toBeGreaterThan(10);
    // and the unmodified image does verify in-process
    writeFileSync(f, base);
    await expect(
      uefi.verify({
        container: f,
        payload: undefined,
        key: pinned,
        keyFingerprints: [],
        trustAnchors: [],
        context: new Uint8Array(0),
        options: {},
      }),
    ).resolves.toMatchObject({ params });
  });
});

describe('inspect', () => {
  it('reports the structure without a key, matching the byte-offset reader', async () => {
    const out = join(dir, 'inspect.signed');
    await signUefiInProcess(small, 'ML-DSA-87', out, '99');
    const r = pqsign(['inspect', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const img = readImage(readFileSync(out), 'ML-DSA-87');
    expect(j).toMatchObject({
      format: 'uefi',
      monotonicCount: '99',
      certType: 'mldsa',
      certTypeGuid: docGuidTable()['ML-DSA-87']!.text,
      algorithm: 'ML-DSA-87',
      dwLength: img.dwLength,
      wRevision: '0x0200',
      wCertificateType: '0x0EF1',
      certDataOffset: 32,
      publicKeyOffset: 32,
      signatureOffset: 32 + 2592,
      payloadOffset: 8 + img.dwLength,
      payloadBytes: 1000,
    });
    const human = pqsign(['inspect', out]);
    expect(human.stdout).toMatch(/^.*inspect\.signed: uefi\n/);
    expect(human.stdout).toMatch(/certTypeGuid\s+86cdd26d-900a-467f-b2bf-0e72b2da6b87/);
  });
});

describe('the mldsa worked example in docs/formats/uefi.md', () => {
  it('reproduces byte for byte (seed key, deterministic signing)', () => {
    const seed = join(dir, 'doc-seed.bin');
    const payload = join(dir, 'doc-small.bin');
    const out = join(dir, 'doc-small.signed');
    writeFileSync(seed, Buffer.from(Array.from({ length: 32 }, (_, i) => i)));
    writeFileSync(payload, 'pqsign UEFI demo payload\n');
    const r = pqsign([
      'sign',
      payload,
      '--key',
      seed,
      '--alg',
      'ML-DSA-44',
      '--deterministic',
      '--format',
      'uefi',
      '--monotonic-count',
      '1',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const buf = readFileSync(out);
    const sha = /sha256sum small\.signed\s+# ([0-9a-f]{64}), (\d+) bytes/.exec(DOC)!;
    expect(buf.length).toBe(Number(sha[2]));
    expect(spawnSync('sha256sum', { input: buf, encoding: 'utf8' }).stdout.slice(0, 64)).toBe(sha[1]);
    // every hexdump line shown in the doc is a line of the real dump
    const dump = spawnSync('xxd', [out], { encoding: 'utf8' });
    const real = new Set(dump.stdout.split('\n').map((l) => l.trimEnd()));
    const section = DOC.slice(DOC.indexOf('## Worked example: `mldsa`'), DOC.indexOf('## Worked example: `pkcs7`'));
    const shown = section.split('\n').filter((l) => /^[0-9a-f]{8}: /.test(l));
    expect(shown.length).toBeGreaterThan(8);
    for (const l of shown) expect(real, l).toContain(l.trimEnd());
  });
});

describe('a 256 MiB payload', () => {
  // 256 MiB is past the limit below plus Node's own ~40 MB: an image read whole could not pass
  it('signs and verifies with flat memory (peak RSS < 150 MB each)', () => {
    const SIZE = 256 * 1024 ** 2;
    const big = join(dir, 'big.bin');
    writeFileSync(big, '');
    truncateSync(big, SIZE); // sparse: no disk, reads as zeros
    const out = join(dir, 'big.bin.signed');
    const s = pqsignMeasured(['sign', big, '--key', key('ML-DSA-65'), '--format', 'uefi', '--monotonic-count', '7', '--out', out]);
    expect(s.code, s.stderr).toBe(0);
    expect(statSync(out).size).toBe(SIZE + 8 + 5285);
    const v = pqsignMeasured(['verify', out, '--key', pub('ML-DSA-65')]);
    expect(v.code, v.stderr).toBe(0);
    for (const m of [s, v]) {
      expect(m.maxRssMiB).toBeGreaterThan(20); // the measurement is real
      expect(m.maxRssMiB).toBeLessThan(150);
    }
    // nothing left behind but the outputs
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  }, 300_000);
});
