// The uefi format (compact mldsa CertType) in this process: round trips with the layout checked by an
// independent byte-offset reader (test/support/uefi-image.ts), strip, the MonotonicCount's range, verify
// finding the image beside its payload, and the oracles verifying payload ‖ count with ctx = CertType. The
// command line's side (flag refusals as printed, rejections as verify prints them, inspect, 1 GiB) is
// test/cli/uefi.test.ts. Every sign refusal is here.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIRMWARE, HAVE_SHARED, NO_SHARED, oracle, tempDir } from '../../support/helpers.js';
import { failure, signWith, stripFile, verifyWith, writeKeyPair } from '../../support/inproc.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { ALGS, docGuidTable, guidLE, readImage, SIZES, type Alg } from '../../support/uefi-image.js';

const dir = tempDir('pqsign-uefi-unit-');

const key = (alg: Alg) => join(dir, `${alg}.key.pem`);
const pub = (alg: Alg) => join(dir, `${alg}.pub.pem`);
const small = join(dir, 'small.bin');

beforeAll(() => {
  for (const alg of ALGS) writeKeyPair(key(alg), pub(alg), alg);
  writeFileSync(small, randomBytes(1000));
});

/** `pqsign sign FILE --key KEY --format uefi --monotonic-count N --out OUT` */
const signUefi = (file: string, alg: Alg, out: string, monotonicCount: string) =>
  signWith(file, key(alg), { format: 'uefi', out, options: { monotonicCount } });

describe('round trips', () => {
  for (const alg of ALGS) {
    it(`${alg}: sign, verify (key and key fingerprint), layout, strip`, async () => {
      const out = join(dir, `fw-${alg}.signed`);
      await signUefi(FIRMWARE, alg, out, '12345678901234567890');
      const buf = readFileSync(out);
      const fw = readFileSync(FIRMWARE);
      const img = readImage(buf, alg);
      expect(img.dwLength).toBe(24 + SIZES[alg].pk + SIZES[alg].sig);
      expect(buf.length).toBe(8 + img.dwLength + fw.length);
      expect(img.count).toBe(12345678901234567890n);
      expect(img.wRevision).toBe(0x0200);
      expect(img.wCertificateType).toBe(0x0ef1);
      expect(img.certType.toString('hex')).toBe(guidLE(docGuidTable()[alg]!.text).toString('hex'));
      expect(img.payload.equals(fw)).toBe(true);

      const v = await verifyWith(out, pub(alg));
      expect(v).toMatchObject({ format: 'uefi', params: { name: alg } });
      expect(v.details).toMatchObject({ certType: 'mldsa', monotonicCount: '12345678901234567890', payloadBytes: fw.length });
      const fp = spawnSync('sha256sum', { input: img.publicKey, encoding: 'utf8' }).stdout.slice(0, 64);
      expect(v.keyFingerprint).toBe(fp);
      expect(await verifyWith(out, undefined, { rules: { keys: [{ sha256: fp }] } })).toMatchObject({ keyFingerprint: fp });

      const stripped = join(dir, `fw-${alg}.payload`);
      await stripFile(out, stripped);
      expect(readFileSync(stripped).equals(fw)).toBe(true);
    });
  }

  it('count limits: 0, 2^64-1 and 0x hex are accepted', async () => {
    for (const [arg, want] of [
      ['0', 0n],
      ['18446744073709551615', (1n << 64n) - 1n],
      ['0xDEADBEEF', 0xdeadbeefn],
    ] as const) {
      const out = join(dir, `count-${arg}.signed`);
      await signUefi(small, 'ML-DSA-44', out, arg);
      expect(readImage(readFileSync(out), 'ML-DSA-44').count).toBe(want);
      expect((await verifyWith(out, pub('ML-DSA-44'))).details.monotonicCount).toBe(want.toString());
    }
  });

  it('default output is FILE.signed and verify finds the container by content', async () => {
    const f = join(dir, 'default.bin');
    writeFileSync(f, randomBytes(300));
    await signWith(f, key('ML-DSA-44'), { format: 'uefi', options: { monotonicCount: '3' } });
    expect(existsSync(`${f}.signed`)).toBe(true);
    expect(await verifyWith(`${f}.signed`, pub('ML-DSA-44'))).toMatchObject({ format: 'uefi' });
    // the artifact itself: the image beside it is verified, and the artifact must be its payload
    expect(await verifyWith(f, pub('ML-DSA-44'))).toMatchObject({ format: 'uefi', signature: `${f}.signed` });
    writeFileSync(f, randomBytes(300));
    const r = await failure(verifyWith(f, pub('ML-DSA-44')));
    expect(r.code).toBe('ERR_SIGNATURE_INVALID');
    expect(r.message).toMatch(/differs from the payload signed inside/);
  });
});

describe('sign refuses (exit 2, one line, nothing written); the CLI pins three of these lines in test/cli/uefi.test.ts', () => {
  // the library names options as `name`; the CLI shows them as --name (bin/option-flags.ts)
  const cases: Array<[string, Record<string, unknown>, string | undefined, RegExp]> = [
    ['a missing count', {}, undefined, /needs `monotonicCount`/],
    ['a negative count', { monotonicCount: '-1' }, undefined, /not an unsigned integer/],
    ['a count over UINT64', { monotonicCount: '18446744073709551616' }, undefined, /does not fit in a UINT64/],
    ['a non-numeric count', { monotonicCount: '12abc' }, undefined, /not an unsigned integer/],
    ['a count given twice', { monotonicCount: ['1', '2'] }, undefined, /more than once/],
    ['a context (the CertType fixes it)', { monotonicCount: '1' }, '00', /fixes its own ML-DSA context/],
    ['an unknown CertType name', { monotonicCount: '1', uefiCertType: 'rsa2048' }, undefined, /unknown `uefiCertType` "rsa2048"/],
  ];
  cases.forEach(([what, options, context, msg], i) => {
    it(what, async () => {
      const out = join(dir, `refused-${i}.signed`);
      const e = await failure(signWith(small, key('ML-DSA-44'), { format: 'uefi', out, context, options }));
      expect(exitOfCode(e.code), `${e.code}: ${e.message}`).toBe(2);
      expect(e.message).toMatch(msg);
      expect(e.message).not.toContain('\n');
      expect(existsSync(out)).toBe(false);
    });
  });

  it('an empty payload (edk2 rejects it)', async () => {
    const empty = join(dir, 'empty.bin');
    writeFileSync(empty, '');
    const out = join(dir, 'empty.signed');
    const e = await failure(signWith(empty, key('ML-DSA-44'), { format: 'uefi', out, options: { monotonicCount: '1' } }));
    expect(exitOfCode(e.code)).toBe(2);
    expect(e.message).toMatch(/needs a payload/);
    expect(existsSync(out)).toBe(false);
  });
});

describe.skipIf(!HAVE_SHARED)(`independent check: doc reader + oracle verify${HAVE_SHARED ? '' : ` (${NO_SHARED})`}`, () => {
  it('the doc GUID table serializes as the doc says', () => {
    const t = docGuidTable();
    expect(Object.keys(t).sort()).toEqual([...ALGS]);
    for (const alg of ALGS) expect(guidLE(t[alg]!.text).toString('hex')).toBe(t[alg]!.serialized);
    expect(new Set(ALGS.map((a) => t[a]!.text)).size).toBe(3);
  });

  for (const alg of ALGS) {
    it(`${alg}: OpenSSL 3.5/4.0 and Bouncy Castle verify payload ‖ count with ctx = CertType`, async () => {
      const image = join(dir, `fw-${alg}.signed`);
      if (!existsSync(image)) await signUefi(FIRMWARE, alg, image, '12345678901234567890');
      const img = readImage(readFileSync(image), alg);
      const base = join(dir, `oracle-${alg}`);
      writeFileSync(`${base}.pk`, img.publicKey);
      writeFileSync(`${base}.sig`, img.signature);
      writeFileSync(`${base}.msg`, Buffer.concat([img.payload, img.countBytes]));
      const ctx = img.certType.toString('hex');
      expect(ctx).toBe(docGuidTable()[alg]!.serialized);
      const ok = oracle(['verify', alg, `${base}.pk`, `${base}.sig`, `${base}.msg`, ctx]);
      expect(ok.ok, ok.stdout + ok.stderr).toBe(true);
      // controls: the oracle does reject the wrong context and the payload without the count
      expect(oracle(['--impl', 'openssl40', 'verify', alg, `${base}.pk`, `${base}.sig`, `${base}.msg`]).ok).toBe(false);
      writeFileSync(`${base}.nocount`, img.payload);
      expect(oracle(['--impl', 'openssl40', 'verify', alg, `${base}.pk`, `${base}.sig`, `${base}.nocount`, ctx]).ok).toBe(false);
    });
  }
});
