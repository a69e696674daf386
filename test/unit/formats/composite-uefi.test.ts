// UEFI images whose pkcs7 CertType carries a composite CMS SignedData (draft-ietf-lamps-cms-composite-sigs)
// over payload ‖ MonotonicCount, in this process: the header is laid out for the shortest composite
// signature and CertData grows when the ECDSA part is longer; the doc's byte-offset reader extracts
// CertData and Bouncy Castle 1.86 (`oracle --impl bc186 cms`) verifies it. The compact mldsa CertType
// refuses composite keys. Error codes stand for exit codes (README's table). The command line's side is
// test/cli/composite-uefi.test.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compositeKeyFiles } from '../../support/composite-keys.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { FIRMWARE, HAVE_SHARED, NO_SHARED, oracle, tempDir } from '../../support/helpers.js';
import { anchorRules, createCaFile, failure, inspectFile, issueFile, keygenFiles, signWith, verifyWith } from '../../support/inproc.js';
import { readHeader } from '../../support/uefi-image.js';

const dir = tempDir('pqsign-composite-uefi-unit-');
const at = (f: string) => join(dir, f);
const ALGS = ['MLDSA65-ECDSA-P256-SHA512', 'MLDSA44-Ed25519-SHA512', 'MLDSA87-ECDSA-P521-SHA512'];

// composite root → composite intermediate → composite code-signing leaves
const root = compositeKeyFiles(dir, 'root', 'MLDSA87-ECDSA-P384-SHA512');
const ca = compositeKeyFiles(dir, 'ca', 'MLDSA65-ECDSA-P256-SHA512');
const leaves = Object.fromEntries(ALGS.map((alg) => [alg, compositeKeyFiles(dir, alg, alg)]));
beforeAll(async () => {
  await createCaFile(root.key, 'CN=Hybrid Root', at('root.pem'));
  await issueFile({ caKey: root.key, caCert: at('root.pem'), key: ca.pub, subject: 'CN=Hybrid CA', ca: true, out: at('ca.pem') });
  for (const alg of ALGS)
    await issueFile({
      caKey: ca.key,
      caCert: at('ca.pem'),
      key: leaves[alg]!.pub,
      subject: `CN=${alg} firmware`,
      codeSigning: true,
      out: at(`${alg}.pem`),
    });
});

/** `sign FIRMWARE --format uefi --key LEAF --cert LEAF.pem --chain ca.pem --monotonic-count 42 --out OUT` */
const sign = (alg: string, out: string) =>
  signWith(FIRMWARE, leaves[alg]!.key, {
    format: 'uefi',
    out,
    options: { cert: at(`${alg}.pem`), chain: [at('ca.pem')], monotonicCount: '42' },
  });

describe('composite pkcs7 CertType', () => {
  for (const alg of ALGS) {
    it(`${alg}: the edk2 ContentInfo form, verified with only the root and with the pinned key`, async () => {
      // several signatures: the ECDSA part's length varies, the header follows CertData's real length
      for (let i = 0; i < 3; i++) {
        const out = at(`${alg}-${i}.signed`);
        await sign(alg, out);
        const buf = readFileSync(out);
        const img = readHeader(buf);
        expect(buf.length).toBe(8 + img.dwLength + readFileSync(FIRMWARE).length);
        expect(img.payload.equals(readFileSync(FIRMWARE))).toBe(true);
        const cd = img.certData;
        expect(cd.subarray(0, 2).toString('hex')).toBe('3082');
        expect(cd.readUInt16BE(2)).toBe(cd.length - 4);
        const v = await verifyWith(out, undefined, { rules: await anchorRules(at('root.pem')) });
        expect(v.details).toMatchObject({ certType: 'pkcs7', composite: alg, monotonicCount: '42' });
        expect((v.details.signers as { chain: string[] }[])[0]!.chain).toEqual([`CN=${alg} firmware`, 'CN=Hybrid CA', 'CN=Hybrid Root']);
        await verifyWith(out, leaves[alg]!.pub);
      }
    });
  }

  it('attack: a flipped bit in either signature part inside CertData, or in the payload, is exit 1', async () => {
    const alg = 'MLDSA65-ECDSA-P256-SHA512';
    const good = readFileSync(at(`${alg}-0.signed`));
    const img = readHeader(good);
    const certDataEnd = 8 + img.dwLength; // the CertData ends with the signature (no unsigned attributes)
    const sigBytes = ((await inspectFile(at(`${alg}-0.signed`))).signerInfos as { signatureBytes: number }[])[0]!.signatureBytes;
    for (const [what, offset] of [
      ['ML-DSA part', certDataEnd - sigBytes + 10],
      ['ECDSA part', certDataEnd - 5],
      ['payload', certDataEnd + 100],
    ] as const) {
      const t = Buffer.from(good);
      t[offset]! ^= 1;
      const f = at(`bad-${offset}.signed`);
      writeFileSync(f, t);
      const r = await failure(verifyWith(f, undefined, { rules: await anchorRules(at('root.pem')) }));
      expect(exitOfCode(r.code), `${what}: ${r.message}`).toBe(1);
    }
  });

  it('the compact mldsa CertType refuses a composite key (exit 2), and a compact image does not count for a composite key (exit 1)', async () => {
    const alg = 'MLDSA65-ECDSA-P256-SHA512';
    const refused = await failure(
      signWith(FIRMWARE, leaves[alg]!.key, {
        format: 'uefi',
        out: at('compact.signed'),
        options: { uefiCertType: 'mldsa', monotonicCount: '1' },
      }),
    );
    expect(exitOfCode(refused.code)).toBe(2);
    expect(refused.message).toMatch(/mldsa CertType carries ML-DSA signatures only/);
    const ml = keygenFiles(dir, 'ml');
    await signWith(FIRMWARE, ml.key, { format: 'uefi', out: at('compact.signed'), options: { monotonicCount: '1' } });
    const r = await failure(verifyWith(at('compact.signed'), leaves[alg]!.pub));
    expect(exitOfCode(r.code)).toBe(1);
    expect(r.message).toMatch(/cannot be checked with the composite/);
  });
});

describe.skipIf(!HAVE_SHARED)(`independent check: Bouncy Castle 1.86 verifies the CertData${HAVE_SHARED ? '' : ` (${NO_SHARED})`}`, () => {
  for (const alg of ALGS) {
    it(`${alg}: oracle --impl bc186 cms CertData (payload ‖ count) LEAF`, () => {
      const img = readHeader(readFileSync(at(`${alg}-0.signed`)));
      const base = at(`oracle-${alg}`);
      writeFileSync(`${base}.p7`, img.certData);
      writeFileSync(`${base}.msg`, Buffer.concat([img.payload, img.countBytes]));
      const ok = oracle(['--impl', 'bc186', 'cms', `${base}.p7`, `${base}.msg`, at(`${alg}.pem`)]);
      expect(ok.ok, ok.stdout + ok.stderr).toBe(true);
      // the signer certificate embedded in CertData is found by issuerAndSerialNumber too
      expect(oracle(['--impl', 'bc186', 'cms', `${base}.p7`, `${base}.msg`]).ok).toBe(true);
      // controls: without the count, and under another leaf, Bouncy Castle refuses it
      writeFileSync(`${base}.nocount`, img.payload);
      expect(oracle(['--impl', 'bc186', 'cms', `${base}.p7`, `${base}.nocount`, at(`${alg}.pem`)]).ok).toBe(false);
      const other = ALGS.find((a) => a !== alg)!;
      expect(oracle(['--impl', 'bc186', 'cms', `${base}.p7`, `${base}.msg`, at(`${other}.pem`)]).ok).toBe(false);
    });
  }
});
