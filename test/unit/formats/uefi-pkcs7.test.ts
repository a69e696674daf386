// The uefi format with the pkcs7 CertType in this process: round trips per parameter set with a root →
// intermediate → leaf chain (the edk2 ContentInfo form checked byte by byte, verify with only the root and
// with the signer's key, strip), another digest, and the independent check: the doc's byte-offset reader
// extracts CertData and Bouncy Castle (oracle cms) verifies it. The command line's side is
// test/cli/uefi-pkcs7.test.ts. Every sign refusal and the largest chain that fits are here too.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIRMWARE, HAVE_SHARED, NO_SHARED, oracle, tempDir } from '../../support/helpers.js';
import { anchorRules, failure, signWith, stripFile, verifyWith } from '../../support/inproc.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { TEST_PKI_CHAIN, type Pki } from '../../support/pki-fixture.js';
import { buildPkcs7Pkis, PKCS7_COUNT } from '../../support/uefi-pkcs7-pkis.js';
import { ALGS, docPkcs7Guid, guidLE, readHeader, type Alg } from '../../support/uefi-image.js';

const dir = tempDir('pqsign-uefi-pkcs7-unit-');
const SUBJECTS = TEST_PKI_CHAIN;
const COUNT = PKCS7_COUNT;
let pkis: Record<Alg, Pki>;
let stranger: Pki;

beforeAll(async () => {
  ({ pkis, stranger } = await buildPkcs7Pkis(dir));
});

/** `pqsign sign FILE --format uefi --key LEAF_KEY --cert LEAF --chain INTER --out OUT` with format options */
const signPkcs7 = (alg: Alg, file: string, out: string, options: Record<string, unknown>) =>
  signWith(file, pkis[alg].leafKey, { format: 'uefi', out, options: { cert: pkis[alg].leaf, chain: [pkis[alg].inter], ...options } });

const u16be = (b: Buffer, at: number) => b.readUInt16BE(at);

/** The signed message the doc defines: the payload, then the 8 count bytes as stored at offset 0. */
const signedMessage = (img: ReturnType<typeof readHeader>) => Buffer.concat([img.payload, img.countBytes]);

describe('round trips with a chain (the default CertType with --cert is pkcs7)', () => {
  for (const alg of ALGS) {
    it(`${alg}: sign, layout, edk2 ContentInfo form, verify with only the root, with the key, strip`, async () => {
      const out = join(dir, `fw-${alg}.signed`);
      await signPkcs7(alg, FIRMWARE, out, { monotonicCount: COUNT });
      const buf = readFileSync(out);
      const fw = readFileSync(FIRMWARE);
      const img = readHeader(buf);
      expect(img.count).toBe(0x1122334455667788n);
      expect(img.wRevision).toBe(0x0200);
      expect(img.wCertificateType).toBe(0x0ef1);
      expect(img.certType.toString('hex')).toBe(guidLE(docPkcs7Guid().text).toString('hex'));
      expect(img.certType.toString('hex')).toBe(docPkcs7Guid().serialized);
      expect(buf.length).toBe(8 + img.dwLength + fw.length);
      expect(img.payload.equals(fw)).toBe(true);
      // ContentInfo: 30 82 LL LL 06 09 <id-signedData> A0 82 MM MM, LL = n - 4, MM = n - 19 (what WrapPkcs7Data recognises)
      const cd = img.certData;
      expect(cd.length).toBe(img.dwLength - 24);
      expect(cd.subarray(0, 2).toString('hex')).toBe('3082');
      expect(u16be(cd, 2)).toBe(cd.length - 4);
      expect(cd.subarray(4, 17).toString('hex')).toBe('06092a864886f70d010702a082');
      expect(u16be(cd, 17)).toBe(cd.length - 19);

      const v = await verifyWith(out, undefined, { rules: await anchorRules(pkis[alg].root) });
      expect(v).toMatchObject({ format: 'uefi', params: { name: alg } });
      const j = v.details as Record<string, unknown> & { signers: unknown[] };
      expect(j).toMatchObject({
        certType: 'pkcs7',
        certTypeGuid: docPkcs7Guid().text,
        monotonicCount: BigInt(COUNT).toString(),
        payloadBytes: fw.length,
      });
      expect(j.signers).toHaveLength(1);
      expect(j.signers[0]).toMatchObject({ valid: true, algorithm: alg, digest: 'sha512', chain: SUBJECTS });
      const pinned = await verifyWith(out, pkis[alg].leaf);
      expect(pinned.keyFingerprint).toBe(v.keyFingerprint);

      const stripped = join(dir, `fw-${alg}.payload`);
      await stripFile(out, stripped);
      expect(readFileSync(stripped).equals(fw)).toBe(true);
    });
  }

  it('the pkcs7 CertType named explicitly, another digest, a 1-byte payload', async () => {
    const one = join(dir, 'one.bin');
    writeFileSync(one, Buffer.of(0x5a));
    const out = join(dir, 'one.signed');
    await signPkcs7('ML-DSA-87', one, out, { uefiCertType: 'pkcs7', digest: 'shake256', monotonicCount: '0' });
    const v = await verifyWith(out, undefined, { rules: await anchorRules(pkis['ML-DSA-87'].root) });
    expect((v.details as { signers: unknown[] }).signers[0]).toMatchObject({ digest: 'shake256', chain: SUBJECTS });
  });
});

describe('sign refuses (exit 2, nothing written); the CLI pins three of these lines in test/cli/uefi-pkcs7.test.ts', () => {
  const small = join(dir, 'small.bin');
  beforeAll(() => writeFileSync(small, randomBytes(700)));
  const p = () => pkis['ML-DSA-65'];
  // the library names options as `name`; the CLI shows them as --name (bin/option-flags.ts)
  const cases: Array<[string, () => [key: string, options: Record<string, unknown>], RegExp]> = [
    ['pkcs7 without a certificate', () => [p().leafKey, { uefiCertType: 'pkcs7' }], /pkcs7 CertType needs `cert`/],
    [
      'mldsa with a certificate',
      () => [p().leafKey, { cert: p().leaf, uefiCertType: 'mldsa' }],
      /mldsa CertType carries the bare public key/,
    ],
    ['chain without cert', () => [p().leafKey, { chain: [p().inter] }], /`chain` needs `cert`/],
    ['a certificate for another key', () => [p().interKey, { cert: p().leaf }], /is not for the signing key/],
    ['a context (RFC 9882: empty)', () => [p().leafKey, { cert: p().leaf }], /empty ML-DSA context/],
    [
      'a digest too weak for the parameter set',
      () => [pkis['ML-DSA-87'].leafKey, { cert: pkis['ML-DSA-87'].leaf, digest: 'sha256' }],
      /too weak for ML-DSA-87/,
    ],
    [
      'CertData over the two-byte DER form',
      () => [pkis['ML-DSA-87'].leafKey, { cert: pkis['ML-DSA-87'].leaf, chain: Array(9).fill(pkis['ML-DSA-87'].inter) }],
      /PKCS7 CertData would be \d+ bytes; edk2's WrapPkcs7Data needs two-byte DER lengths \(at most 65539 bytes\)/,
    ],
  ];
  cases.forEach(([what, args, msg], i) => {
    it(what, async () => {
      const out = join(dir, `refused-${i}.signed`);
      const [key, options] = args();
      const context = what.startsWith('a context') ? '00' : undefined;
      const e = await failure(signWith(small, key, { format: 'uefi', out, context, options: { monotonicCount: '1', ...options } }));
      expect(exitOfCode(e.code), `${e.code}: ${e.message}`).toBe(2);
      expect(e.message).toMatch(msg);
      expect(e.message).not.toContain('\n');
      expect(existsSync(out)).toBe(false);
    });
  });

  it('the largest chain that fits is written, in the edk2 form', async () => {
    const k = pkis['ML-DSA-87'];
    const out = join(dir, 'big-chain.signed');
    await signWith(small, k.leafKey, {
      format: 'uefi',
      out,
      options: { monotonicCount: '1', cert: k.leaf, chain: Array(7).fill(k.inter) },
    });
    const cd = readHeader(readFileSync(out)).certData;
    expect(cd.length).toBeGreaterThan(60_000);
    expect(cd.length).toBeLessThanOrEqual(65539);
    expect(u16be(cd, 2)).toBe(cd.length - 4);
    await expect(verifyWith(out, undefined, { rules: await anchorRules(k.root) })).resolves.toMatchObject({ format: 'uefi' });
  });
});

describe.skipIf(!HAVE_SHARED)('independent check: the doc reader extracts CertData, Bouncy Castle verifies it', () => {
  for (const alg of ALGS) {
    it(`${alg}: oracle cms CertData (payload ‖ count) LEAF`, async () => {
      const image = join(dir, `fw-${alg}.signed`);
      if (!existsSync(image)) await signPkcs7(alg, FIRMWARE, image, { monotonicCount: COUNT });
      const img = readHeader(readFileSync(image));
      const base = join(dir, `oracle-${alg}`);
      writeFileSync(`${base}.p7`, img.certData);
      writeFileSync(`${base}.msg`, signedMessage(img));
      const ok = oracle(['cms', `${base}.p7`, `${base}.msg`, pkis[alg].leaf]);
      expect(ok.ok, ok.stdout + ok.stderr).toBe(true);
      // controls: the payload without the count, and another signer's certificate, are rejected
      writeFileSync(`${base}.nocount`, img.payload);
      expect(oracle(['cms', `${base}.p7`, `${base}.nocount`, pkis[alg].leaf]).ok).toBe(false);
      expect(oracle(['cms', `${base}.p7`, `${base}.msg`, stranger.leaf]).ok).toBe(false);
    });
  }
});
if (!HAVE_SHARED) it.skip(NO_SHARED, () => undefined);
