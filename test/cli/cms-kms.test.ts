// CMS with the leaf's key in KMS at the command line (local KMS server, real AWS SDK): sign with an
// awskms:// key, --cert and --chain (--json), --message-type raw reaching KMS as RAW, and verify with only
// the root as anchor and no AWS call (one verify --json run; a tampered file exit 1). The PKI is built in
// this process; the 64 MiB file, UEFI pkcs7 and attached RAW cases run in-process in
// test/unit/cms/cms-kms.test.ts.
import { closeSync, copyFileSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startInProcessKms } from '../support/kms-inproc.js';
import { buildKmsPki } from '../support/kms-pki.js';
import { TEST_PKI_CHAIN } from '../support/pki-fixture.js';
import { FIRMWARE, pqsignAsync, tempDir } from '../support/helpers.js';
import { verifyEach } from '../support/exit-codes.js';

const CHAIN = TEST_PKI_CHAIN;

describe('CMS with the leaf in KMS', async () => {
  const kms = await startInProcessKms();
  const dir = tempDir('pqsign-cms-kms-');
  const run = (args: string[]) => pqsignAsync(args, { env: kms.env });
  await kms.createKey('ML_DSA_65', 'alias/issuing-ca');
  await kms.createKey('ML_DSA_65', 'alias/release-signing');
  const keys = { inter: kms.ref('alias/issuing-ca'), leaf: kms.ref('alias/release-signing') };
  const pki = await buildKmsPki(dir, keys);
  const signs = (from: number, kind: 'EXTERNAL_MU' | 'RAW') => kms.log.slice(from).filter((l) => l.startsWith(`Sign ${kind} 200`)).length;
  const fw = join(dir, 'fw.bin');
  copyFileSync(FIRMWARE, fw); // 256 KiB: over KMS RAW's 4096-byte bound
  const sig = join(dir, 'fw.bin.p7s');
  const raw = join(dir, 'fw.raw.p7s');
  const signArgs = (out: string) => [
    'sign',
    fw,
    '--format',
    'cms',
    '--key',
    keys.leaf,
    '--cert',
    pki.leaf,
    '--chain',
    pki.inter,
    '--out',
    out,
  ];

  it('sign --key awskms:// --cert --chain --json: one EXTERNAL_MU Sign', async () => {
    const before = kms.log.length;
    const s = await run([...signArgs(sig), '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ ok: true, format: 'cms', algorithm: 'ML-DSA-65', bytes: 256 * 1024 });
    expect(signs(before, 'EXTERNAL_MU')).toBe(1);
    expect(signs(before, 'RAW')).toBe(0);
  });

  it('--message-type raw: one RAW Sign over DER(SignedAttributes), no EXTERNAL_MU', async () => {
    const before = kms.log.length;
    const s = await run([...signArgs(raw), '--message-type', 'raw']);
    expect(s.code, s.stderr).toBe(0);
    expect(signs(before, 'RAW')).toBe(1);
    expect(signs(before, 'EXTERNAL_MU')).toBe(0);
  });

  it('verify --trust-anchor ROOT: both verify offline (no KMS call), a changed byte is exit 1', async () => {
    const afterSign = kms.log.length;
    const v = await pqsignAsync(['verify', fw, '--sig', sig, '--trust-anchor', pki.root, '--json']);
    expect(v.code, v.stderr).toBe(0);
    const facts = JSON.parse(v.stdout);
    expect(facts).toMatchObject({ ok: true, format: 'cms', algorithm: 'ML-DSA-65', signature: sig });
    expect(facts.signers).toEqual([expect.objectContaining({ valid: true, digest: 'sha512', chain: CHAIN })]);
    const fd = openSync(fw, 'r+');
    writeSync(fd, Buffer.from('X'), 0, 1, 128 * 1024 + 7);
    closeSync(fd);
    const verdicts = verifyEach([sig, raw], ['--payload', fw, '--trust-anchor', pki.root]);
    for (const f of [sig, raw]) {
      expect(verdicts.get(f)!.exit).toBe(1);
      expect(verdicts.get(f)!.message).toMatch(/does not match the messageDigest/);
    }
    expect(kms.log.length).toBe(afterSign);
  });
});
