// Bypasses 2, 3, 6, 7 and 8 of the review (issue 12), each written as the attack first: every one of these
// exited 0 (or with the wrong class) before the fail-closed rules of docs/verification.md.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { flipByte, FIRMWARE, pqsign, pqsignAsync, tempDir } from '../../support/helpers.js';
import { keygen, run, type Pki } from '../../support/pki-fixture.js';
import { verifyEach, verifyEachAsync, type FileVerdict } from '../../support/exit-codes.js';
import { buildPkiInProcess, createCaFile, signWith } from '../../support/inproc.js';
import { fingerprintOf, jwtOf } from '../../support/verify-setup.js';
import { startInProcessKms, writePublicKey } from '../../support/kms-inproc.js';

// Keys, certificates and signed files are set-up, made in this process; each attack runs `pqsign verify`.
const dir = tempDir('pqsign-bypass-');
const p = (f: string) => join(dir, f);
let pki: Pki;
let otherRoot: string;
const fwCopy = (name: string) => {
  copyFileSync(FIRMWARE, p(name));
  return p(name);
};

beforeAll(async () => {
  mkdirSync(join(dir, 'pki'));
  pki = await buildPkiInProcess(join(dir, 'pki'), 'ML-DSA-44');
  await writePublicKey(pki.leafKey, p('leaf.pub'));
  mkdirSync(join(dir, 'other'));
  const k = keygen(join(dir, 'other'), 'root', 'ML-DSA-44');
  otherRoot = await createCaFile(k, 'CN=Other Root', join(dir, 'other', 'root.pem'));
});

describe('bypass 2: several signatures beside FILE, every trust input applied', () => {
  it('FILE.signed (compact) + FILE.p7s with --key and a wrong --trust-anchor: the chain is checked, exit 1', async () => {
    const fw = fwCopy('b2a.bin');
    await signWith(fw, pki.leafKey, { format: 'uefi', options: { monotonicCount: '1' } });
    await signWith(fw, pki.leafKey, { format: 'cms', options: { cert: pki.leaf, chain: [pki.inter] } });
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

  it('FILE.sig with --key and --trust-anchor: a raw signature cannot satisfy the anchor, exit 1', async () => {
    const fw = fwCopy('b2b.bin');
    await signWith(fw, pki.leafKey);
    const r = pqsign(['verify', fw, '--key', p('leaf.pub'), '--trust-anchor', pki.root]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/carry no certificate/);
  });

  it('every signature found must verify: a tampered one beside a good one fails the artifact', async () => {
    const fw = fwCopy('b2c.bin');
    await signWith(fw, pki.leafKey);
    await signWith(fw, pki.leafKey, { format: 'cose' });
    const sig = readFileSync(`${fw}.sig`);
    writeFileSync(`${fw}.sig`, flipByte(sig, 10));
    const r = pqsign(['verify', fw, '--key', p('leaf.pub')]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/not all verify/);
  });

  it("a file that is itself a container does not hide the signatures beside it (a JWT put in the artifact's place)", async () => {
    const fw = fwCopy('b2d.bin');
    await signWith(fw, pki.leafKey);
    writeFileSync(fw, await jwtOf({ sub: 'admin' }, pki.leafKey));
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
  it('"../other/fw.bin" and absolute paths are refused (ERR_MANIFEST, exit 2)', async () => {
    const m = join(dir, 'rel', 'release.jsonl');
    mkdirSync(join(dir, 'rel'), { recursive: true });
    const k = await fingerprintOf(p('leaf.pub'));
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

  it('an entry signed by another trusted key than the one it pins fails with detail "pinned-key" (exit 1)', async () => {
    const d = join(dir, 'm3');
    mkdirSync(d);
    copyFileSync(FIRMWARE, join(d, 'fw.bin'));
    const other = keygen(d, 'other', 'ML-DSA-44');
    await writePublicKey(other, join(d, 'other.pub'));
    await signWith(join(d, 'fw.bin'), other, { format: 'uefi', options: { monotonicCount: '3' } });
    const pinned = await fingerprintOf(p('leaf.pub'));
    writeFileSync(
      join(d, 'm.jsonl'),
      `${JSON.stringify({ pqsignManifest: 1, artifact: 'fw.bin.signed', signature: 'embedded', format: 'uefi', keyFingerprint: pinned })}\n`,
    );
    const r = pqsign(['verify', '--manifest', join(d, 'm.jsonl'), '--key', p('leaf.pub'), '--key', join(d, 'other.pub'), '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'ERR_UNTRUSTED', detail: 'pinned-key' });
  });
});

describe('bypass 6: unauthenticated COSE header values are not reported as signed', () => {
  it('a kid and content type put in the unprotected bucket are reported under "unprotected" only', async () => {
    const fw = fwCopy('b6.bin');
    await signWith(fw, pki.leafKey, { format: 'cose', options: { detached: true, kid: 'release' } });
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
    await signWith(fw, pki.leafKey, { format: 'cose', out: p('b6b.cose'), options: { detached: true } });
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
  const kms = await startInProcessKms(); // this process signs through it too (set-up)
  await kms.createKey('ML_DSA_44', 'alias/b7');
  const ref = kms.ref('alias/b7');
  const formats = ['raw', 'cose', 'jws', 'cms'];
  const fws = formats.map((f) => p(`b7-${f}.bin`));
  // one `verify --kms` run judges the four good artifacts, one the four tampered ones
  let judged: Promise<{ good: Map<string, FileVerdict>; bad: Map<string, FileVerdict>; asked: number }> | undefined;
  const judge = () =>
    (judged ??= (async () => {
      for (const [i, format] of formats.entries()) {
        copyFileSync(FIRMWARE, fws[i]!);
        await signWith(fws[i]!, ref, { format, options: format === 'cose' || format === 'jws' ? { detached: true } : {} });
      }
      const before = kms.log.filter((l) => l.startsWith('Verify')).length;
      const good = await verifyEachAsync(fws, ['--key', ref, '--kms'], kms.env);
      const asked = kms.log.filter((l) => l.startsWith('Verify')).length - before;
      for (const fw of fws) writeFileSync(fw, Buffer.concat([readFileSync(fw), Buffer.from('x')]));
      const bad = await verifyEachAsync(fws, ['--key', ref, '--kms'], kms.env);
      return { good, bad, asked };
    })());
  for (const [i, format] of formats.entries()) {
    it(`${format}: KMS Verify is asked, and a tampered artifact fails with exit 1`, async () => {
      const { good, bad, asked } = await judge();
      const v = good.get(fws[i]!)!;
      expect(v.exit, v.message).toBe(0);
      expect(v.report).toMatchObject({ ok: true, format, verifiedBy: 'kms' });
      expect(asked).toBeGreaterThanOrEqual(formats.length); // at least one Verify per artifact
      expect(bad.get(fws[i]!)!.exit, bad.get(fws[i]!)!.message).toBe(1);
    });
  }
  it('alone, a tampered artifact under --kms is exit 1 with the one line of its verdict on stderr', async () => {
    const { bad } = await judge();
    const r = await pqsignAsync(['verify', fws[0]!, '--key', ref, '--kms'], { env: kms.env });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe(`pqsign: ${bad.get(fws[0]!)!.message}\n`);
    expect(r.stderr).toMatch(/b7-raw\.bin\.sig: signature does not verify/);
  });
});

describe('bypass 8: "signed, but not by whom you trust" is exit 1; files are judged by content', () => {
  it('an ML-DSA-65 image checked against a pinned ML-DSA-44 key exits 1 (ERR_UNTRUSTED)', async () => {
    const k65 = keygen(dir, 'k65', 'ML-DSA-65');
    const fw = fwCopy('b8.bin');
    await signWith(fw, k65, { format: 'uefi', options: { monotonicCount: '1' } });
    // one artifact per format, its detached signature beside it; one run judges all five
    const targets = [`${fw}.signed`];
    for (const format of ['raw', 'cose', 'jws', 'cms']) {
      const a = fwCopy(`b8-${format}.bin`);
      await signWith(a, k65, { format, options: format === 'cose' || format === 'jws' ? { detached: true } : {} });
      targets.push(a);
    }
    const verdicts = verifyEach(targets, ['--key', p('leaf.pub')]);
    for (const t of targets) {
      const v = verdicts.get(t)!;
      expect(v.exit, `${t}: ${v.message}`).toBe(1);
      expect(v.code).toBe('ERR_UNTRUSTED');
    }
    // the signature named with --sig, alone
    const r = pqsign(['verify', p('b8-raw.bin'), '--sig', p('b8-raw.bin.sig'), '--key', p('leaf.pub'), '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe('ERR_UNTRUSTED');
  });

  it('a raw binary named board.bin.signed is said to be no UEFI image, not "a uefi signature"', () => {
    copyFileSync(FIRMWARE, p('board.bin.signed'));
    const r = pqsign(['verify', p('board.bin.signed'), '--key', p('leaf.pub')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/named like a uefi signature but its content is not one/);
  });
});
