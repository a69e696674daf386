// --format uefi with the pkcs7 CertType (EFI_CERT_TYPE_PKCS7_GUID, CertData = a detached CMS SignedData
// over payload ‖ MonotonicCount) at the command line: one round trip, inspect, tampering and refusals as
// verify and sign report them, the offline ceremony, the docs' worked example. Round trips per parameter set,
// every sign refusal, the largest chain and Bouncy Castle on the CertData run in-process in
// test/unit/formats/uefi-pkcs7.test.ts. PKIs and the images under test are made in this process (set-up).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIRMWARE, pqsign, tempDir } from '../support/helpers.js';
import { rejectionTests } from '../support/exit-codes.js';
import { TEST_PKI_CHAIN, type Pki } from '../support/pki-fixture.js';
import { buildPkcs7Pkis, PKCS7_COUNT } from '../support/uefi-pkcs7-pkis.js';
import { signWith } from '../support/inproc.js';
import { fingerprintOf } from '../support/verify-setup.js';
import { DOC, docPkcs7Guid, flip, readHeader, variantMaker, type Alg } from '../support/uefi-image.js';
import { uefi } from '../../formats/uefi/index.js';
import { isPqsignError } from '../../src/base/errors.js';

const dir = tempDir('pqsign-uefi-pkcs7-');
const SUBJECTS = TEST_PKI_CHAIN;
const COUNT = PKCS7_COUNT;
let pkis: Record<Alg, Pki>;
let stranger: Pki;

beforeAll(async () => {
  ({ pkis, stranger } = await buildPkcs7Pkis(dir));
}, 120_000);

const signPkcs7 = (alg: Alg, file: string, out: string, ...extra: string[]) =>
  pqsign([
    'sign',
    file,
    '--format',
    'uefi',
    '--key',
    pkis[alg].leafKey,
    '--cert',
    pkis[alg].leaf,
    '--chain',
    pkis[alg].inter,
    '--out',
    out,
    ...extra,
  ]);

/** signPkcs7 in this process, for images that are a test's input rather than its subject */
const signPkcs7InProcess = (alg: Alg, file: string, out: string, options: Record<string, unknown>) =>
  signWith(file, pkis[alg].leafKey, { format: 'uefi', out, options: { cert: pkis[alg].leaf, chain: [pkis[alg].inter], ...options } });

/** The signed message the doc defines: the payload, then the 8 count bytes as stored at offset 0. */
const signedMessage = (img: ReturnType<typeof readHeader>) => Buffer.concat([img.payload, img.countBytes]);

describe('the commands', () => {
  it('sign --format uefi --cert --chain, verify --json with only the root, --key, strip: one round trip (the format: test/unit/formats/uefi-pkcs7.test.ts)', () => {
    const out = join(dir, 'cli-65.signed');
    const s = signPkcs7('ML-DSA-65', FIRMWARE, out, '--monotonic-count', COUNT);
    expect(s.code, s.stderr).toBe(0);
    const v = pqsign(['verify', out, '--trust-anchor', pkis['ML-DSA-65'].root, '--json']);
    expect(v.code, v.stderr).toBe(0);
    const j = JSON.parse(v.stdout);
    expect(j).toMatchObject({
      ok: true,
      format: 'uefi',
      algorithm: 'ML-DSA-65',
      certType: 'pkcs7',
      certTypeGuid: docPkcs7Guid().text,
      monotonicCount: BigInt(COUNT).toString(),
    });
    expect(j.signers[0]).toMatchObject({ valid: true, algorithm: 'ML-DSA-65', digest: 'sha512', chain: SUBJECTS });
    const pinned = pqsign(['verify', out, '--key', pkis['ML-DSA-65'].leaf, '--json']);
    expect(pinned.code, pinned.stderr).toBe(0);
    expect(JSON.parse(pinned.stdout).keyFingerprint).toBe(j.keyFingerprint);
    const stripped = join(dir, 'cli-65.payload');
    expect(pqsign(['strip', out, '--out', stripped]).code).toBe(0);
    expect(readFileSync(stripped).equals(readFileSync(FIRMWARE))).toBe(true);
  });
});

describe('inspect', () => {
  it('shows the certificates, the signing time, the count, and offsets matching the byte reader', async () => {
    const out = join(dir, 'inspect.signed');
    await signPkcs7InProcess('ML-DSA-65', FIRMWARE, out, {
      monotonicCount: '42',
      signingTime: new Date(Date.now() - 60_000).toISOString(),
    });
    const r = pqsign(['inspect', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const img = readHeader(readFileSync(out));
    expect(j).toMatchObject({
      format: 'uefi',
      monotonicCount: '42',
      certType: 'pkcs7',
      certTypeGuid: docPkcs7Guid().text,
      algorithm: 'ML-DSA-65',
      dwLength: img.dwLength,
      certDataOffset: 32,
      certDataBytes: img.certData.length,
      payloadOffset: 8 + img.dwLength,
      payloadBytes: 262144,
      digestAlgorithms: ['sha512'],
    });
    expect(j.certificates.map((c: { subject: string }) => c.subject)).toEqual(SUBJECTS.slice(0, 2));
    expect(j.certificates[0].issuer).toBe(SUBJECTS[1]);
    expect(Date.now() - Date.parse(j.signingTime)).toBeGreaterThan(50_000);
    expect(Date.now() - Date.parse(j.signingTime)).toBeLessThan(200_000);
    expect(j.signerInfos[0]).toMatchObject({
      version: 1,
      signatureAlgorithm: 'ML-DSA-65',
      signedAttributes: true,
      algorithmProtection: true,
    });
    const human = pqsign(['inspect', out]);
    expect(human.stdout).toMatch(/certType\s+pkcs7/);
    expect(human.stdout).toMatch(/certificates\s+2\n\s+#1  CN=Test Release Signing.*\n\s+issuer  CN=Test Issuing CA/);
  });
});

describe('verify rejects', () => {
  const good = join(dir, 'good.signed');
  let base: Buffer;
  let cd: { start: number; end: number };
  beforeAll(async () => {
    await signPkcs7InProcess('ML-DSA-65', FIRMWARE, good, { monotonicCount: '5' });
    base = readFileSync(good);
    const img = readHeader(base);
    cd = { start: 32, end: 8 + img.dwLength };
  });

  const variant = variantMaker(dir, () => base);
  /** where the messageDigest attribute's value (SHA-512 of payload ‖ count) lies */
  const digestAt = (b: Buffer) => {
    const digest = createHash('sha512')
      .update(signedMessage(readHeader(b)))
      .digest();
    const at = b.indexOf(digest, cd.start);
    expect(at).toBeGreaterThan(cd.start);
    expect(at).toBeLessThan(cd.end);
    return at;
  };
  /**
   * The unused-bits octet of the first certificate's signature BIT STRING, by DER offsets: ContentInfo (4) +
   * OID (11) + [0] (4) + SignedData (4) + version (3) + digestAlgorithms (15) + encapContentInfo (13) + [0] (4).
   */
  const leafSignatureUnusedBits = () => {
    const certAt = cd.start + 58;
    const tbsEnd = certAt + 8 + base.readUInt16BE(certAt + 6);
    expect(base.subarray(tbsEnd, tbsEnd + 2).toString('hex')).toBe('300b'); // signatureAlgorithm, parameters absent
    expect(base.subarray(tbsEnd + 13, tbsEnd + 15).toString('hex')).toBe('0382'); // signatureValue BIT STRING
    return tbsEnd + 17;
  };
  const certAt = (b: Buffer, subject: string, delta: number) => b.indexOf(Buffer.from(subject.split(',')[0]!.slice(3))) + delta;

  const cases: Array<[string, (b: Buffer) => Buffer, number, RegExp]> = [
    ['a changed count', flip(() => 0), 1, /content does not match the messageDigest/],
    ['the top byte of the count', flip(() => 7), 1, /content does not match the messageDigest/],
    ['a changed first payload byte', flip(() => cd.end), 1, /content does not match the messageDigest/],
    ['a changed last payload byte', flip((b) => b.length - 1), 1, /content does not match the messageDigest/],
    ['an extended payload', (b) => Buffer.concat([b, Buffer.of(0)]), 1, /content does not match the messageDigest/],
    ['a changed signature (CertData)', flip(() => cd.end - 100), 1, /signature over the signed attributes does not verify/],
    ['a changed messageDigest attribute (CertData)', flip((b) => digestAt(b) + 10), 1, /content does not match the messageDigest/],
    [
      'a changed byte in the intermediate certificate (CertData)',
      flip((b) => b.lastIndexOf(Buffer.from('Test Root CA')) + 2),
      1,
      /Test Issuing CA|Test Root CA/,
    ],
    ["a changed byte in the leaf certificate's subject (CertData)", flip((b) => certAt(b, SUBJECTS[0]!, 3)), 1, /.+/],
    [
      'SignedData version 0 (the unsigned envelope is not malleable either)',
      flip(() => cd.start + 25),
      2,
      /SignedData version 0; RFC 5652 §5\.1 requires 1/,
    ],
    [
      "digestAlgorithms without the signer's digest",
      flip(() => cd.start + 40),
      2,
      /digest sha512 is not listed in SignedData\.digestAlgorithms/,
    ],
    [
      "an embedded certificate's signature with unused bits",
      flip(leafSignatureUnusedBits),
      2,
      /embedded certificate #1: signatureValue BIT STRING has unused bits/,
    ],
    [
      'ContentInfo with 30 83 (not the edk2 form)',
      flip(() => cd.start + 1),
      2,
      /not a ContentInfo\(SignedData\) in the form edk2's WrapPkcs7Data recognises/,
    ],
    ['a ContentInfo length one short of CertData', flip(() => cd.start + 3), 2, /form edk2's WrapPkcs7Data recognises/],
    ['[0] with A0 81 (not the edk2 form)', (b) => ((b[cd.start + 16] = 0x81), b), 2, /form edk2's WrapPkcs7Data recognises/],
    ['another contentType than signedData', flip(() => cd.start + 14), 2, /form edk2's WrapPkcs7Data recognises/],
    [
      'a bare SignedData (edk2 would wrap it; pqsign takes only the ContentInfo form)',
      (b) => {
        const bare = b.subarray(cd.start + 19, cd.end);
        const out = Buffer.concat([b.subarray(0, 32), bare, b.subarray(cd.end)]);
        out.writeUInt32LE(24 + bare.length, 8);
        return out;
      },
      2,
      /form edk2's WrapPkcs7Data recognises/,
    ],
  ];
  rejectionTests(cases, variant, () => ['--trust-anchor', pkis['ML-DSA-65'].root]);

  it('a root that is not the anchor of the chain', () => {
    const r = pqsign(['verify', good, '--trust-anchor', stranger.root]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/good\.signed: .*Test Issuing CA/);
  });

  it("a pinned key that is not the signer's", () => {
    const r = pqsign(['verify', good, '--key', stranger.leaf]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/signature over the signed attributes does not verify/);
  });

  // the signer certificate's key fingerprint (what verify --json reports as keyFingerprint)
  const signerFingerprint = () => fingerprintOf(pkis['ML-DSA-65'].leaf);

  it("neither --trust-anchor nor --key; --key-sha256 alone pins the signer certificate's key", async () => {
    const r = pqsign(['verify', good]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing to trust/);
    const h = pqsign(['verify', good, '--key-sha256', '00'.repeat(32)]);
    expect(h.code).toBe(1);
    const facts = JSON.parse(pqsign(['verify', good, '--key-sha256', await signerFingerprint(), '--json']).stdout);
    expect(facts).toMatchObject({ ok: true, keyFingerprint: await signerFingerprint() });
  });

  it('--key-sha256 is checked in addition to the anchor', async () => {
    const fp = await signerFingerprint();
    expect(pqsign(['verify', good, '--trust-anchor', pkis['ML-DSA-65'].root, '--key-sha256', fp]).code).toBe(0);
    expect(pqsign(['verify', good, '--trust-anchor', pkis['ML-DSA-65'].root, '--key-sha256', '11'.repeat(32)]).code).toBe(1);
  });

  it('a change at any CertData offset never verifies (in-process sweep)', async () => {
    const { readCertificates } = await import('../../src/pki/cert-file.js');
    const trustAnchor = await readCertificates(pkis['ML-DSA-65'].root);
    const f = join(dir, 'sweep.signed');
    const outcomes = new Map<string, number>();
    const trustAnchors = trustAnchor.map((c) => c.der);
    const verify = () =>
      uefi
        .verify({
          container: f,
          payload: undefined,
          key: undefined,
          keyFingerprints: [],
          trustAnchors,
          context: new Uint8Array(0),
          options: {},
        })
        .then(
          () => 'VERIFIED',
          (e) => (isPqsignError(e) ? e.code : `non-user error: ${e}`),
        );
    for (let off = 0; off < cd.end; off += off < 64 ? 1 : 97) {
      const b = Buffer.from(base);
      b[off]! ^= 0x80;
      writeFileSync(f, b);
      const code = await verify();
      expect(['ERR_SIGNATURE_INVALID', 'ERR_SIGNATURE_FORMAT', 'ERR_ALGORITHM', 'ERR_CHAIN'], `offset ${off}`).toContain(code);
      outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
    }
    expect(outcomes.get('ERR_SIGNATURE_INVALID')).toBeGreaterThan(10);
    expect(outcomes.get('ERR_SIGNATURE_FORMAT')).toBeGreaterThan(10);
    writeFileSync(f, base);
    expect(trustAnchor).toHaveLength(1);
    await expect(verify()).resolves.toBe('VERIFIED');
  }, 120_000);
});

describe('sign refuses (every case, and the largest chain that fits: test/unit/formats/uefi-pkcs7.test.ts)', () => {
  const small = join(dir, 'small.bin');
  beforeAll(() => writeFileSync(small, randomBytes(700)));
  const p = () => pkis['ML-DSA-65'];
  const cases: Array<[string, () => string[], RegExp]> = [
    ['pkcs7 without a certificate', () => ['--key', p().leafKey, '--uefi-cert-type', 'pkcs7'], /pkcs7 CertType needs --cert/],
    ['--chain without --cert', () => ['--key', p().leafKey, '--chain', p().inter], /--chain needs --cert/],
    [
      'a digest too weak for the parameter set',
      () => ['--key', pkis['ML-DSA-87'].leafKey, '--cert', pkis['ML-DSA-87'].leaf, '--digest', 'sha256'],
      /too weak for ML-DSA-87/,
    ],
  ];
  for (const [what, args, msg] of cases) {
    it(what, () => {
      const out = join(dir, `refused-${what.replace(/\W+/g, '-')}.signed`);
      const r = pqsign(['sign', small, '--format', 'uefi', '--monotonic-count', '1', '--out', out, ...args()]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    });
  }
});

describe('offline ceremony: tbs → sign-request → attach', () => {
  it('the request carries what rebuilds identical signed attributes; attach needs no certificate files', async () => {
    const k = pkis['ML-DSA-44'];
    const req = join(dir, 'pkcs7.req.json');
    const when = new Date().toISOString().replace(/\.\d+Z$/, 'Z'); // within the certificates' validity
    let r = pqsign([
      'tbs',
      FIRMWARE,
      '--format',
      'uefi',
      '--monotonic-count',
      '77',
      '--key',
      k.leaf,
      '--cert',
      k.leaf,
      '--chain',
      k.inter,
      '--signing-time',
      when,
      '--out',
      req,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const request = JSON.parse(readFileSync(req, 'utf8'));
    expect(request).toMatchObject({ format: 'uefi', algorithm: 'ML-DSA-44', signingContext: '' });
    expect(request.options).toMatchObject({
      uefiCertType: 'pkcs7',
      monotonicCount: '77',
      digest: 'sha512',
      signingTime: new Date(when).toISOString(),
    });
    expect(request.options.certificates).toHaveLength(2);
    const sig = join(dir, 'pkcs7.sig');
    r = pqsign(['sign-request', req, '--key', k.leafKey, '--deterministic', '--out', sig]);
    expect(r.code, r.stderr).toBe(0);
    const out = join(dir, 'pkcs7.attached.signed');
    r = pqsign(['attach', FIRMWARE, '--request', req, '--signature', sig, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const v = pqsign(['verify', out, '--trust-anchor', k.root, '--json']);
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ certType: 'pkcs7', monotonicCount: '77' });
    // the same key, options and signing time, signed directly and deterministically: the same bytes
    const direct = join(dir, 'pkcs7.direct.signed');
    await signWith(FIRMWARE, k.leafKey, {
      format: 'uefi',
      out: direct,
      deterministic: true,
      options: { cert: k.leaf, chain: [k.inter], monotonicCount: '77', signingTime: when },
    });
    expect(readFileSync(out).equals(readFileSync(direct))).toBe(true);
  });
});

describe('the pkcs7 worked example in docs/formats/uefi.md', () => {
  it('its commands give the image size and the first 64 bytes the doc shows', () => {
    const section = DOC.slice(DOC.indexOf('## Worked example: `pkcs7`'));
    const ex = join(dir, 'doc-example');
    mkdirSync(ex);
    const commands = /```sh\n([\s\S]*?)```/
      .exec(section)![1]!
      .replace(/\\\n\s*/g, '')
      .split('\n')
      .filter((l) => l.startsWith('pqsign '));
    writeFileSync(join(ex, 'small.bin'), 'pqsign UEFI demo payload\n');
    for (const line of commands) {
      for (const cmd of line.replace(/\s+#.*$/, '').split(' && ')) {
        const args = [...cmd.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!).slice(1);
        const r = pqsign(args, { cwd: ex });
        expect(r.code, `${cmd}: ${r.stderr}`).toBe(0);
      }
    }
    const buf = readFileSync(join(ex, 'small-pkcs7.signed'));
    expect(buf.length).toBe(Number(/--out small-pkcs7\.signed\s+# (\d+) bytes/.exec(section)![1]));
    const dump = Buffer.from(buf.subarray(0, 64)).toString('hex').match(/.{32}/g)!;
    const shown = section
      .split('\n')
      .filter((l) => /^[0-9a-f]{8}: /.test(l))
      .map((l) => l.slice(10, 49).replace(/ /g, ''));
    expect(shown).toEqual(dump);
  });
});
