// The private PKI with its signing keys in KMS (local KMS server, real AWS SDK): an offline root →
// an issuing CA whose key is in KMS (certified from a CSR) → a code-signing leaf whose key is in KMS.
// The leaf signs a 500 MB file (sparse) as CMS; pqsign verifies it offline with only the root as
// anchor. And --message-type raw through KMS: for CMS (and the UEFI pkcs7 CertType) the signed
// message is DER(SignedAttributes), a few hundred bytes, however large the file.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestKms } from '../support/kms-fixture.js';
import { FIRMWARE, pqsignAsync, sparseFile, tempDir } from '../support/helpers.js';
import { buildPkiAsync } from '../support/pki-fixture.js';

const MB = 1024 * 1024;
const CHAIN = ['CN=Test Release Signing,O=pqsign tests', 'CN=Test Issuing CA,O=pqsign tests', 'CN=Test Root CA,O=pqsign tests'];

describe('CMS and UEFI pkcs7 with the issuing CA and the leaf in KMS', async () => {
  const kms = await startTestKms();
  const dir = tempDir('pqsign-cms-kms-');
  const run = (args: string[]) => pqsignAsync(args, { env: kms.env });
  await kms.createKey('ML_DSA_65', 'alias/issuing-ca');
  await kms.createKey('ML_DSA_65', 'alias/release-signing');
  const keys = { inter: kms.ref('alias/issuing-ca'), leaf: kms.ref('alias/release-signing') };
  const pki = await buildPkiAsync(run, dir, 'ML-DSA-65', ['--code-signing'], keys);
  const signs = (from: number, kind: 'EXTERNAL_MU' | 'RAW') => kms.log.slice(from).filter((l) => l.startsWith(`Sign ${kind} 200`)).length;

  it('the certificates were signed through KMS (the CSR by the issuing CA key, the leaf by it too)', () => {
    // create-ca is local; csr (issuing CA key) and issue of the leaf (issuing CA key) go through KMS
    expect(kms.log.filter((l) => l.startsWith('Sign EXTERNAL_MU 200')).length).toBeGreaterThanOrEqual(2);
  });

  it('500 MB: the KMS leaf signs, pqsign verifies offline with only the root as anchor', async () => {
    const big = sparseFile(join(dir, 'release-500m.img'), 500 * MB);
    const sig = join(dir, 'release-500m.img.p7s');
    const before = kms.log.length;
    const s = await run([
      'sign',
      big,
      '--format',
      'cms',
      '--key',
      keys.leaf,
      '--cert',
      pki.leaf,
      '--chain',
      pki.inter,
      '--out',
      sig,
      '--json',
    ]);
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ ok: true, format: 'cms', algorithm: 'ML-DSA-65', bytes: 500 * MB });
    expect(signs(before, 'EXTERNAL_MU')).toBe(1);

    const afterSign = kms.log.length;
    const v = await pqsignAsync(['verify', big, '--trust-anchor', pki.root, '--json']); // no AWS environment: offline
    expect(v.code, v.stderr).toBe(0);
    const facts = JSON.parse(v.stdout);
    expect(facts).toMatchObject({ ok: true, format: 'cms', algorithm: 'ML-DSA-65', signature: sig });
    expect(facts.signers).toEqual([expect.objectContaining({ valid: true, digest: 'sha512', chain: CHAIN })]);
    expect(kms.log.length).toBe(afterSign);

    // one changed byte in the middle of the 500 MB is caught
    const fd = openSync(big, 'r+');
    writeSync(fd, Buffer.from('X'), 0, 1, 250 * MB + 7);
    closeSync(fd);
    const t = await pqsignAsync(['verify', big, '--trust-anchor', pki.root]);
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(/does not match the messageDigest/);
  }, 300_000);

  it('a UEFI pkcs7 image signed by the KMS leaf verifies with only the root', async () => {
    const out = join(dir, 'fw.signed');
    const s = await run([
      'sign',
      FIRMWARE,
      '--format',
      'uefi',
      '--monotonic-count',
      '12',
      '--key',
      keys.leaf,
      '--cert',
      pki.leaf,
      '--chain',
      pki.inter,
      '--out',
      out,
    ]);
    expect(s.code, s.stderr).toBe(0);
    const v = await pqsignAsync(['verify', out, '--trust-anchor', pki.root, '--json']);
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ certType: 'pkcs7', monotonicCount: '12', signers: [{ chain: CHAIN }] });
  });

  // KMS RAW bounds the message (4096 bytes), not the file: for CMS the message is the signed attributes.
  it('--message-type raw signs files over 4096 bytes as CMS and UEFI pkcs7: KMS RAW sees only DER(SignedAttributes)', async () => {
    const fw = FIRMWARE; // 256 KiB
    expect(readFileSync(fw).length).toBeGreaterThan(4096);
    const p7s = join(dir, 'fw.raw.p7s');
    let before = kms.log.length;
    const s = await run([
      'sign',
      fw,
      '--format',
      'cms',
      '--message-type',
      'raw',
      '--key',
      keys.leaf,
      '--cert',
      pki.leaf,
      '--chain',
      pki.inter,
      '--out',
      p7s,
    ]);
    expect(s.code, s.stderr).toBe(0);
    expect(signs(before, 'RAW')).toBe(1);
    expect(signs(before, 'EXTERNAL_MU')).toBe(0);
    const v = await pqsignAsync(['verify', fw, '--sig', p7s, '--trust-anchor', pki.root, '--json']);
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout).signers[0]).toMatchObject({ valid: true, chain: CHAIN });

    const image = join(dir, 'fw.raw.signed');
    before = kms.log.length;
    const u = await run([
      'sign',
      fw,
      '--format',
      'uefi',
      '--monotonic-count',
      '13',
      '--message-type',
      'raw',
      '--key',
      keys.leaf,
      '--cert',
      pki.leaf,
      '--chain',
      pki.inter,
      '--out',
      image,
    ]);
    expect(u.code, u.stderr).toBe(0);
    expect(signs(before, 'RAW')).toBe(1);
    expect((await pqsignAsync(['verify', image, '--trust-anchor', pki.root])).code).toBe(0);

    // attached: the artifact is written into the container in the same pass that builds the RAW message
    const attached = join(dir, 'fw.raw.attached.p7s');
    before = kms.log.length;
    const a = await run([
      'sign',
      fw,
      '--format',
      'cms',
      '--attached',
      '--message-type',
      'raw',
      '--key',
      keys.leaf,
      '--cert',
      pki.leaf,
      '--chain',
      pki.inter,
      '--out',
      attached,
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(signs(before, 'RAW')).toBe(1);
    expect((await pqsignAsync(['verify', attached, '--trust-anchor', pki.root])).code).toBe(0);
    const stripped = join(dir, 'fw.raw.stripped');
    expect((await pqsignAsync(['strip', attached, '--out', stripped])).code).toBe(0);
    expect(readFileSync(stripped).equals(readFileSync(fw))).toBe(true);
  });
});
