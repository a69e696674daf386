// Bypasses 2, 3, 6, 7 and 8 of the review (issue 12), each written as the attack first: every one of these
// exited 0 (or with the wrong class) before the fail-closed rules of docs/verification.md.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIRMWARE, pqsign, pqsignAsync, tempDir } from '../../support/helpers.js';
import { buildPki, keygen, run } from '../../support/pki-fixture.js';
import { startTestKms } from '../../support/kms-fixture.js';

const dir = tempDir('pqsign-bypass-');
const p = (f: string) => join(dir, f);
const fp = (pub: string) => JSON.parse(run(['pubkey', '--key', pub, '--json'])).keyFingerprint as string;
let pki: ReturnType<typeof buildPki>;
let otherRoot: string;

beforeAll(() => {
  mkdirSync(join(dir, 'pki'));
  pki = buildPki(join(dir, 'pki'), 'ML-DSA-44');
  mkdirSync(join(dir, 'other'));
  const k = keygen(join(dir, 'other'), 'root', 'ML-DSA-44');
  otherRoot = join(dir, 'other', 'root.pem');
  run(['cert', 'create-ca', '--key', k, '--subject', 'CN=Other Root', '--out', otherRoot]);
});

describe('bypass 2: several signatures beside FILE, every trust input applied', () => {
  it('FILE.signed (compact) + FILE.p7s with --key and a wrong --trust-anchor: the chain is checked, exit 1', () => {
    const fw = p('b2a.bin');
    copyFileSync(FIRMWARE, fw);
    run(['sign', fw, '--key', pki.leafKey, '--format', 'uefi', '--monotonic-count', '1']);
    run(['sign', fw, '--key', pki.leafKey, '--format', 'cms', '--cert', pki.leaf, '--chain', pki.inter]);
    run(['pubkey', '--key', pki.leafKey, '--out', p('leaf.pub')]);
    const r = pqsign(['verify', fw, '--key', p('leaf.pub'), '--trust-anchor', otherRoot, '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const o = JSON.parse(r.stdout);
    expect(o.ok).toBe(false);
    // with the right anchor the CMS counts; the compact image cannot check an anchor and is reported as such
    const ok = pqsign(['verify', fw, '--key', p('leaf.pub'), '--trust-anchor', pki.root, '--json']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const v = JSON.parse(ok.stdout);
    expect(v.format).toBe('cms');
    expect(v.containers).toEqual([
      expect.objectContaining({
        signature: `${fw}.signed`,
        format: 'uefi',
        ok: false,
        error: expect.objectContaining({ code: 'ERR_UNTRUSTED', detail: 'trust-anchor' }),
      }),
      expect.objectContaining({ signature: `${fw}.p7s`, format: 'cms', ok: true }),
    ]);
  });

  it('FILE.sig with --key and --trust-anchor: a raw signature cannot satisfy the anchor, exit 1', () => {
    const fw = p('b2b.bin');
    copyFileSync(FIRMWARE, fw);
    run(['sign', fw, '--key', pki.leafKey]);
    const r = pqsign(['verify', fw, '--key', p('leaf.pub'), '--trust-anchor', pki.root]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/carry no certificate/);
  });

  it('every signature found must verify: a tampered one beside a good one fails the artifact', () => {
    const fw = p('b2c.bin');
    copyFileSync(FIRMWARE, fw);
    run(['sign', fw, '--key', pki.leafKey]);
    run(['sign', fw, '--key', pki.leafKey, '--format', 'cose']);
    const sig = readFileSync(`${fw}.sig`);
    sig[10] ^= 1;
    writeFileSync(`${fw}.sig`, sig);
    const r = pqsign(['verify', fw, '--key', p('leaf.pub')]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/not all verify/);
  });

  it("a file that is itself a container does not hide the signatures beside it (a JWT put in the artifact's place)", () => {
    const fw = p('b2d.bin');
    copyFileSync(FIRMWARE, fw);
    run(['sign', fw, '--key', pki.leafKey]);
    writeFileSync(p('claims.json'), '{"sub":"admin"}');
    writeFileSync(fw, run(['jwt', 'sign', '--claims', p('claims.json'), '--key', pki.leafKey]).trim());
    const r = pqsign(['verify', fw, '--key', p('leaf.pub'), '--json']);
    expect(r.code, r.stdout).toBe(1);
    expect(JSON.parse(r.stdout).error.message).toMatch(/not all verify/);
  });

  it('no trust input at all is a usage error, never an OK', () => {
    const r = pqsign(['verify', p('b2c.bin.cose')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing to trust/);
  });
});

describe('bypass 3: manifest paths stay inside the manifest directory', () => {
  it('"../other/fw.bin" and absolute paths are refused (ERR_MANIFEST, exit 2)', () => {
    const m = join(dir, 'rel', 'release.jsonl');
    mkdirSync(join(dir, 'rel'), { recursive: true });
    const k = fp(p('leaf.pub'));
    for (const artifact of ['../b2b.bin', 'sub/../../b2b.bin', '/etc/passwd']) {
      writeFileSync(m, `${JSON.stringify({ pqsignManifest: 1, artifact, signature: 'x.sig', format: 'raw', keyFingerprint: k })}\n`);
      const r = pqsign(['verify', '--manifest', m, '--key', p('leaf.pub'), '--json']);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(/ERR_MANIFEST|leaves the manifest's directory|relative to the manifest/);
    }
  });

  it('a manifest is not a trust input by itself: without --key/--trust-anchor/--policy it is a usage error', () => {
    const d = join(dir, 'm2');
    mkdirSync(d);
    copyFileSync(FIRMWARE, join(d, 'fw.bin'));
    run([
      'sign',
      join(d, 'fw.bin'),
      '--key',
      pki.leafKey,
      '--format',
      'uefi',
      '--monotonic-count',
      '3',
      '--manifest-out',
      join(d, 'm.jsonl'),
    ]);
    const r = pqsign(['verify', '--manifest', join(d, 'm.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing to trust/);
    expect(pqsign(['verify', '--manifest', join(d, 'm.jsonl'), '--key', p('leaf.pub')]).code).toBe(0);
  });

  it('an entry signed by another trusted key than the one it pins fails with detail "pinned-key" (exit 1)', () => {
    const d = join(dir, 'm3');
    mkdirSync(d);
    copyFileSync(FIRMWARE, join(d, 'fw.bin'));
    const other = keygen(d, 'other', 'ML-DSA-44');
    run(['pubkey', '--key', other, '--out', join(d, 'other.pub')]);
    run(['sign', join(d, 'fw.bin'), '--key', other, '--format', 'uefi', '--monotonic-count', '3']);
    writeFileSync(
      join(d, 'm.jsonl'),
      `${JSON.stringify({ pqsignManifest: 1, artifact: 'fw.bin.signed', signature: 'embedded', format: 'uefi', keyFingerprint: fp(p('leaf.pub')) })}\n`,
    );
    const r = pqsign(['verify', '--manifest', join(d, 'm.jsonl'), '--key', p('leaf.pub'), '--key', join(d, 'other.pub'), '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'ERR_UNTRUSTED', detail: 'pinned-key' });
  });
});

describe('bypass 6: unauthenticated COSE header values are not reported as signed', () => {
  it('a kid and content type put in the unprotected bucket are reported under "unprotected" only', () => {
    const fw = p('b6.bin');
    copyFileSync(FIRMWARE, fw);
    run(['sign', fw, '--key', pki.leafKey, '--format', 'cose', '--detached', '--kid', 'release']);
    const b = readFileSync(`${fw}.cose`);
    expect([b[0], b[1]]).toEqual([0xd2, 0x84]);
    const [hdr, len] = b[2]! === 0x58 ? [2, b[3]!] : [1, b[2]! - 0x40];
    const at = 2 + hdr + len;
    expect(b[at]).toBe(0xa0); // the empty unprotected map pqsign writes
    // {3: "application/x-evil", 4: h'41444d494e'} in the unprotected bucket: not covered by the signature
    const forged = Buffer.concat([
      b.subarray(0, at),
      Buffer.from('a203726170706c69636174696f6e2f782d6576696c0445', 'hex'),
      Buffer.from('ADMIN'),
      b.subarray(at + 1),
    ]);
    writeFileSync(p('b6.cose'), forged);
    const r = pqsign(['verify', p('b6.cose'), '--payload', fw, '--key', p('leaf.pub'), '--json']);
    // pqsign put kid 4 in the protected bucket, so a second one in the unprotected bucket is malformed
    expect(r.code, r.stdout + r.stderr).toBe(2);
    run(['sign', fw, '--key', pki.leafKey, '--format', 'cose', '--detached', '--out', p('b6b.cose')]);
    const c = readFileSync(p('b6b.cose'));
    const [h2, l2] = c[2]! === 0x58 ? [2, c[3]!] : [1, c[2]! - 0x40];
    const at2 = 2 + h2 + l2;
    // a content type only in the unprotected bucket: the signature still verifies, the value is not signed
    const forged2 = Buffer.concat([
      c.subarray(0, at2),
      Buffer.from('a103726170706c69636174696f6e2f782d6576696c', 'hex'),
      c.subarray(at2 + 1),
    ]);
    writeFileSync(p('b6c.cose'), forged2);
    const v = pqsign(['verify', p('b6c.cose'), '--payload', fw, '--key', p('leaf.pub'), '--json']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    const o = JSON.parse(v.stdout);
    expect(o.contentType).toBeUndefined();
    expect(o.unprotected).toEqual({ contentType: 'application/x-evil' });
  });
});

describe('bypass 7: verify --kms works for every format', async () => {
  const kms = await startTestKms();
  await kms.createKey('ML_DSA_44', 'alias/b7');
  const ref = kms.ref('alias/b7');
  for (const format of ['raw', 'cose', 'jws', 'cms']) {
    it(`${format}: KMS Verify is asked, and a tampered artifact fails with exit 1`, async () => {
      const fw = p(`b7-${format}.bin`);
      copyFileSync(FIRMWARE, fw);
      const s = await pqsignAsync(
        ['sign', fw, '--key', ref, '--format', format, ...(format === 'cose' || format === 'jws' ? ['--detached'] : [])],
        { env: kms.env },
      );
      expect(s.code, s.stderr).toBe(0);
      const before = kms.log.filter((l) => l.startsWith('Verify')).length;
      const v = await pqsignAsync(['verify', fw, '--key', ref, '--kms', '--json'], { env: kms.env });
      expect(v.code, v.stdout + v.stderr).toBe(0);
      expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, format, verifiedBy: 'kms' });
      expect(kms.log.filter((l) => l.startsWith('Verify')).length).toBeGreaterThan(before);
      writeFileSync(fw, Buffer.concat([readFileSync(fw), Buffer.from('x')]));
      const bad = await pqsignAsync(['verify', fw, '--key', ref, '--kms'], { env: kms.env });
      expect(bad.code, bad.stderr).toBe(1);
    });
  }
});

describe('bypass 8: "signed, but not by whom you trust" is exit 1; files are judged by content', () => {
  it('an ML-DSA-65 image checked against a pinned ML-DSA-44 key exits 1 (ERR_UNTRUSTED)', () => {
    const k65 = keygen(dir, 'k65', 'ML-DSA-65');
    const fw = p('b8.bin');
    copyFileSync(FIRMWARE, fw);
    run(['sign', fw, '--key', k65, '--format', 'uefi', '--monotonic-count', '1']);
    for (const format of ['uefi', 'raw', 'cose', 'jws', 'cms']) {
      if (format !== 'uefi')
        run([
          'sign',
          fw,
          '--key',
          k65,
          '--format',
          format,
          '--out',
          p(`b8.${format}`),
          ...(format === 'cose' || format === 'jws' ? ['--detached'] : []),
        ]);
      const target = format === 'uefi' ? `${fw}.signed` : p(`b8.${format}`);
      const args =
        format === 'uefi' ? ['verify', target] : format === 'raw' ? ['verify', fw, '--sig', target] : ['verify', target, '--payload', fw];
      const r = pqsign([...args, '--key', p('leaf.pub'), '--json']);
      expect(r.code, `${format}: ${r.stdout}${r.stderr}`).toBe(1);
      expect(JSON.parse(r.stdout).error.code).toBe('ERR_UNTRUSTED');
    }
  });

  it('a raw binary named board.bin.signed is said to be no UEFI image, not "a uefi signature"', () => {
    copyFileSync(FIRMWARE, p('board.bin.signed'));
    const r = pqsign(['verify', p('board.bin.signed'), '--key', p('leaf.pub')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/named like a uefi signature but its content is not one/);
  });
});
