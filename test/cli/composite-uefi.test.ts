// UEFI images whose pkcs7 CertType carries a composite CMS SignedData (draft-ietf-lamps-cms-composite-sigs)
// over payload ‖ MonotonicCount: the header is laid out for the shortest composite signature and CertData
// grows when the ECDSA part is longer; the doc's byte-offset reader extracts CertData and Bouncy Castle 1.86
// (`oracle --impl bc186 cms`) verifies it. The compact mldsa CertType refuses composite keys.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIRMWARE, HAVE_SHARED, NO_SHARED, oracle, pqsign, tempDir } from '../support/helpers.js';
import { readHeader } from '../support/uefi-image.js';

const dir = tempDir('pqsign-composite-uefi-');
const at = (f: string) => join(dir, f);
function run(args: string[], code = 0): string {
  const r = pqsign(args);
  expect(r.code, `pqsign ${args.join(' ')}: ${r.stderr}`).toBe(code);
  return r.stdout + r.stderr;
}
const keygen = (alg: string, name: string) => run(['keygen', '--alg', alg, '--out', at(`${name}.key`), '--pub', at(`${name}.pub`)]);

// composite root → composite intermediate → composite code-signing leaves
keygen('MLDSA87-ECDSA-P384-SHA512', 'root');
keygen('MLDSA65-ECDSA-P256-SHA512', 'ca');
run(['cert', 'create-ca', '--key', at('root.key'), '--subject', 'CN=Hybrid Root', '--out', at('root.pem')]);
run([
  'cert',
  'issue',
  '--ca-key',
  at('root.key'),
  '--ca-cert',
  at('root.pem'),
  '--key',
  at('ca.pub'),
  '--subject',
  'CN=Hybrid CA',
  '--ca',
  '--out',
  at('ca.pem'),
]);
const ALGS = ['MLDSA65-ECDSA-P256-SHA512', 'MLDSA44-Ed25519-SHA512', 'MLDSA87-ECDSA-P521-SHA512'];
for (const alg of ALGS) {
  keygen(alg, alg);
  run([
    'cert',
    'issue',
    '--ca-key',
    at('ca.key'),
    '--ca-cert',
    at('ca.pem'),
    '--key',
    at(`${alg}.pub`),
    '--subject',
    `CN=${alg} firmware`,
    '--code-signing',
    '--out',
    at(`${alg}.pem`),
  ]);
}
const sign = (alg: string, out: string, code = 0, ...extra: string[]) =>
  run(
    [
      'sign',
      FIRMWARE,
      '--format',
      'uefi',
      '--key',
      at(`${alg}.key`),
      '--cert',
      at(`${alg}.pem`),
      '--chain',
      at('ca.pem'),
      '--monotonic-count',
      '42',
      '--out',
      out,
      ...extra,
    ],
    code,
  );

describe('composite pkcs7 CertType', () => {
  for (const alg of ALGS) {
    it(`${alg}: the edk2 ContentInfo form, verified with only the root and with the pinned key`, () => {
      // several signatures: the ECDSA part's length varies, the header follows CertData's real length
      for (let i = 0; i < 3; i++) {
        const out = at(`${alg}-${i}.signed`);
        sign(alg, out, 0, '--force');
        const buf = readFileSync(out);
        const img = readHeader(buf);
        expect(buf.length).toBe(8 + img.dwLength + readFileSync(FIRMWARE).length);
        expect(img.payload.equals(readFileSync(FIRMWARE))).toBe(true);
        const cd = img.certData;
        expect(cd.subarray(0, 2).toString('hex')).toBe('3082');
        expect(cd.readUInt16BE(2)).toBe(cd.length - 4);
        const j = JSON.parse(run(['verify', out, '--trust-anchor', at('root.pem'), '--json']));
        expect(j).toMatchObject({ ok: true, certType: 'pkcs7', composite: alg, monotonicCount: '42' });
        expect(j.signers[0].chain).toEqual([`CN=${alg} firmware`, 'CN=Hybrid CA', 'CN=Hybrid Root']);
        run(['verify', out, '--key', at(`${alg}.pub`)]);
      }
    });
  }

  it('attack: a flipped bit in either signature part inside CertData, or in the payload, is exit 1', () => {
    const alg = 'MLDSA65-ECDSA-P256-SHA512';
    const good = readFileSync(at(`${alg}-0.signed`));
    const img = readHeader(good);
    const certDataEnd = 8 + img.dwLength; // the CertData ends with the signature (no unsigned attributes)
    const inspect = JSON.parse(run(['inspect', at(`${alg}-0.signed`), '--json']));
    const sigBytes = inspect.signerInfos[0].signatureBytes as number;
    for (const [what, offset] of [
      ['ML-DSA part', certDataEnd - sigBytes + 10],
      ['ECDSA part', certDataEnd - 5],
      ['payload', certDataEnd + 100],
    ] as const) {
      const t = Buffer.from(good);
      t[offset]! ^= 1;
      const f = at(`bad-${offset}.signed`);
      writeFileSync(f, t);
      const r = pqsign(['verify', f, '--trust-anchor', at('root.pem')]);
      expect(r.code, `${what}: ${r.stderr}`).toBe(1);
    }
  });

  it('the compact mldsa CertType refuses a composite key (exit 2), and a compact image does not count for a composite key (exit 1)', () => {
    const alg = 'MLDSA65-ECDSA-P256-SHA512';
    expect(
      run(
        [
          'sign',
          FIRMWARE,
          '--format',
          'uefi',
          '--uefi-cert-type',
          'mldsa',
          '--key',
          at(`${alg}.key`),
          '--monotonic-count',
          '1',
          '--out',
          at('compact.signed'),
        ],
        2,
      ),
    ).toMatch(/mldsa CertType carries ML-DSA signatures only/);
    run(['keygen', '--alg', 'ML-DSA-65', '--out', at('ml.key'), '--pub', at('ml.pub')]);
    run(['sign', FIRMWARE, '--format', 'uefi', '--key', at('ml.key'), '--monotonic-count', '1', '--out', at('compact.signed')]);
    expect(run(['verify', at('compact.signed'), '--key', at(`${alg}.pub`)], 1)).toMatch(/cannot be checked with the composite/);
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
