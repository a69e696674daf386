// UEFI images signed with a composite key through the command line: `sign --format uefi` (--cert, --chain,
// --monotonic-count, --uefi-cert-type), `verify --json` under a trust anchor and with a pinned key, and the
// one-line refusals: the compact mldsa CertType for a composite key (exit 2, nothing written), a compact
// image under a composite key (exit 1). The layout, the attacks and Bouncy Castle 1.86's check of CertData
// are tested in-process in test/unit/formats/composite-uefi.test.ts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compositeKeyFiles } from '../support/composite-keys.js';
import { FIRMWARE, pqsign, tempDir } from '../support/helpers.js';
import { createCaFile, issueFile, keygenFiles, signWith } from '../support/inproc.js';

const dir = tempDir('pqsign-composite-uefi-');
const at = (f: string) => join(dir, f);
const ALG = 'MLDSA65-ECDSA-P256-SHA512';

// composite root → composite intermediate → composite code-signing leaf (set-up, in-process)
const root = compositeKeyFiles(dir, 'root', 'MLDSA87-ECDSA-P384-SHA512');
const ca = compositeKeyFiles(dir, 'ca', ALG);
const leaf = compositeKeyFiles(dir, 'leaf', ALG);
beforeAll(async () => {
  await createCaFile(root.key, 'CN=Hybrid Root', at('root.pem'));
  await issueFile({ caKey: root.key, caCert: at('root.pem'), key: ca.pub, subject: 'CN=Hybrid CA', ca: true, out: at('ca.pem') });
  await issueFile({
    caKey: ca.key,
    caCert: at('ca.pem'),
    key: leaf.pub,
    subject: 'CN=leaf firmware',
    codeSigning: true,
    out: at('leaf.pem'),
  });
});

describe('composite pkcs7 CertType (CLI)', () => {
  it('sign --format uefi --cert --chain --monotonic-count; verify --json with only the root, and with the pinned key', () => {
    const out = at('fw.signed');
    const s = pqsign([
      'sign',
      FIRMWARE,
      '--format',
      'uefi',
      '--key',
      leaf.key,
      '--cert',
      at('leaf.pem'),
      '--chain',
      at('ca.pem'),
      '--monotonic-count',
      '42',
      '--out',
      out,
    ]);
    expect(s.code, s.stderr).toBe(0);
    const r = pqsign(['verify', out, '--trust-anchor', at('root.pem'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ ok: true, format: 'uefi', algorithm: ALG, certType: 'pkcs7', composite: ALG, monotonicCount: '42' });
    expect(j.signers[0].chain).toEqual(['CN=leaf firmware', 'CN=Hybrid CA', 'CN=Hybrid Root']);
    const pinned = pqsign(['verify', out, '--key', leaf.pub]);
    expect(pinned.code, pinned.stderr).toBe(0);
  });

  it('--uefi-cert-type mldsa refuses a composite key (exit 2, nothing written); a compact image does not count for a composite key (exit 1)', async () => {
    const out = at('compact.signed');
    const r = pqsign([
      'sign',
      FIRMWARE,
      '--format',
      'uefi',
      '--uefi-cert-type',
      'mldsa',
      '--key',
      leaf.key,
      '--monotonic-count',
      '1',
      '--out',
      out,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^pqsign: .*mldsa CertType carries ML-DSA signatures only.*\n$/);
    expect(existsSync(out)).toBe(false);
    const ml = keygenFiles(dir, 'ml');
    await signWith(FIRMWARE, ml.key, { format: 'uefi', out, options: { monotonicCount: '1' } });
    const v = pqsign(['verify', out, '--key', leaf.pub]);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(new RegExp(`^pqsign: ${out}: .*cannot be checked with the composite.*\\n$`));
  });
});
