// The private PKI with its signing keys in KMS (the local KMS server in this process, the real AWS SDK
// over HTTP): an offline root → an issuing CA whose key is in KMS (certified from a CSR) → a code-signing
// leaf whose key is in KMS. The leaf signs a 64 MiB file (sparse) as CMS; it verifies offline with only the
// root as anchor. And KMS RAW messages: for CMS (and the UEFI pkcs7 CertType) the signed message is
// DER(SignedAttributes), a few hundred bytes, however large the file. The command line's side (awskms://
// with --cert/--chain, --message-type raw, --json) is test/cli/cms-kms.test.ts.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIRMWARE, sparseFile, tempDir } from '../../support/helpers.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { startInProcessKms } from '../../support/kms-inproc.js';
import { anchorRules, failure, stripFile, verifyWith } from '../../support/inproc.js';
import { buildKmsPki } from '../../support/kms-pki.js';
import { TEST_PKI_CHAIN } from '../../support/pki-fixture.js';
import { loadAnySigner } from '../../../src/pipeline/keyref.js';
import { formatByName } from '../../../src/pipeline/registry.js';
import { signFile } from '../../../src/pipeline/sign.js';
import type { FormatOptions } from '../../../src/pipeline/format.js';

const MB = 1024 * 1024;
const CHAIN = TEST_PKI_CHAIN;

describe('CMS and UEFI pkcs7 with the issuing CA and the leaf in KMS', async () => {
  const kms = await startInProcessKms();
  const dir = tempDir('pqsign-cms-kms-unit-');
  await kms.createKey('ML_DSA_65', 'alias/issuing-ca');
  await kms.createKey('ML_DSA_65', 'alias/release-signing');
  const keys = { inter: kms.ref('alias/issuing-ca'), leaf: kms.ref('alias/release-signing') };
  // the PKI fixture's steps: create-ca (local root), csr (issuing CA key), issue --ca, issue --code-signing
  const { root, inter, leaf } = await buildKmsPki(dir, keys);
  const signs = (from: number, kind: 'EXTERNAL_MU' | 'RAW') => kms.log.slice(from).filter((l) => l.startsWith(`Sign ${kind} 200`)).length;

  /** `pqsign sign FILE --format F --key LEAF --cert LEAF --chain INTER [--message-type T] --out OUT` */
  async function kmsSign(file: string, format: string, out: string, options: FormatOptions = {}, messageType: 'mu' | 'raw' = 'mu') {
    const signer = await loadAnySigner(keys.leaf);
    try {
      return await signFile(file, out, formatByName(format), signer, {
        context: new Uint8Array(0),
        formatOptions: { cert: leaf, chain: [inter], ...options },
        messageType,
      });
    } finally {
      await signer.close?.();
    }
  }
  const anchored = async (file: string, sig?: string) => verifyWith(file, undefined, { sig, rules: await anchorRules(root) });

  it('the certificates were signed through KMS (the CSR by the issuing CA key, the leaf by it too)', () => {
    // create-ca is local; csr (issuing CA key) and issue of the leaf (issuing CA key) go through KMS
    expect(kms.log.filter((l) => l.startsWith('Sign EXTERNAL_MU 200')).length).toBeGreaterThanOrEqual(2);
  });

  it('64 MiB: the KMS leaf signs, it verifies offline with only the root as anchor', async () => {
    const big = sparseFile(join(dir, 'release-64m.img'), 64 * MB);
    const sig = join(dir, 'release-64m.img.p7s');
    const before = kms.log.length;
    const s = await kmsSign(big, 'cms', sig);
    expect(s).toMatchObject({ format: 'cms', algorithm: 'ML-DSA-65', bytes: 64 * MB });
    expect(signs(before, 'EXTERNAL_MU')).toBe(1);

    const afterSign = kms.log.length;
    const v = await anchored(big); // only the root: no key reference, nothing asks KMS
    expect(v).toMatchObject({ format: 'cms', params: { name: 'ML-DSA-65' }, signature: sig });
    expect(v.details.signers).toEqual([expect.objectContaining({ valid: true, digest: 'sha512', chain: CHAIN })]);
    expect(kms.log.length).toBe(afterSign);

    // one changed byte in the middle is caught
    const fd = openSync(big, 'r+');
    writeSync(fd, Buffer.from('X'), 0, 1, 32 * MB + 7);
    closeSync(fd);
    const t = await failure(anchored(big));
    expect(exitOfCode(t.code)).toBe(1);
    expect(t.message).toMatch(/does not match the messageDigest/);
  }, 300_000);

  it('a UEFI pkcs7 image signed by the KMS leaf verifies with only the root', async () => {
    const out = join(dir, 'fw.signed');
    await kmsSign(FIRMWARE, 'uefi', out, { monotonicCount: '12' });
    const v = await anchored(out);
    expect(v.details).toMatchObject({ certType: 'pkcs7', monotonicCount: '12', signers: [{ chain: CHAIN }] });
  });

  // KMS RAW bounds the message (4096 bytes), not the file: for CMS the message is the signed attributes.
  it('RAW messages sign files over 4096 bytes as CMS and UEFI pkcs7: KMS RAW sees only DER(SignedAttributes)', async () => {
    const fw = FIRMWARE; // 256 KiB
    expect(readFileSync(fw).length).toBeGreaterThan(4096);
    const p7s = join(dir, 'fw.raw.p7s');
    let before = kms.log.length;
    await kmsSign(fw, 'cms', p7s, {}, 'raw');
    expect(signs(before, 'RAW')).toBe(1);
    expect(signs(before, 'EXTERNAL_MU')).toBe(0);
    const v = await anchored(fw, p7s);
    expect((v.details.signers as object[])[0]).toMatchObject({ valid: true, chain: CHAIN });

    const image = join(dir, 'fw.raw.signed');
    before = kms.log.length;
    await kmsSign(fw, 'uefi', image, { monotonicCount: '13' }, 'raw');
    expect(signs(before, 'RAW')).toBe(1);
    expect(await anchored(image)).toMatchObject({ format: 'uefi' });

    // attached: the artifact is written into the container in the same pass that builds the RAW message
    const attached = join(dir, 'fw.raw.attached.p7s');
    before = kms.log.length;
    await kmsSign(fw, 'cms', attached, { attached: true }, 'raw');
    expect(signs(before, 'RAW')).toBe(1);
    expect(await anchored(attached)).toMatchObject({ format: 'cms' });
    const stripped = join(dir, 'fw.raw.stripped');
    await stripFile(attached, stripped);
    expect(readFileSync(stripped).equals(readFileSync(fw))).toBe(true);
  });
});
