// Composite CMS through the command line: `sign --format cms` with a composite key (--cert, --attached,
// --digest), `verify --json` under a trust anchor and with a pinned key, the one-line refusals (exit 2 and
// exit 1), and a 256 MiB artifact streaming once in flat memory. What the SignedData holds, the attacks,
// KMS and Bouncy Castle 1.86's view are tested in-process in test/unit/cms/composite-cms.test.ts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compositeKeyFiles } from '../support/composite-keys.js';
import { hybridRoot } from '../support/composite-pki.js';
import { pqsign, pqsignMeasured, sparseFile, tempDir } from '../support/helpers.js';

const MiB = 1024 * 1024;
const ALG = 'MLDSA65-ECDSA-P256-SHA512';
const dir = tempDir('pqsign-composite-cms-');
const at = (f: string) => join(dir, f);
const content = at('fw.bin');
writeFileSync(content, Buffer.from(Array.from({ length: 150_000 }, (_, i) => (i * 131 + 17) & 0xff)));

function run(args: string[], code = 0): string {
  const r = pqsign(args);
  expect(r.code, `pqsign ${args.join(' ')}: ${r.stderr}`).toBe(code);
  return r.stdout + r.stderr;
}

// composite root → composite code-signing leaf, and a second leaf for another key (set-up, in-process)
const root = hybridRoot(dir);
const leaf = compositeKeyFiles(dir, 'leaf', ALG);
const other = compositeKeyFiles(dir, 'other', 'MLDSA65-Ed25519-SHA512');
beforeAll(async () => {
  await root.create();
  await root.issueSigner(leaf.pub, 'leaf', at('leaf.pem'));
  await root.issueSigner(other.pub, 'other', at('other.pem'));
});

describe('composite CMS SignedData (CLI)', () => {
  it('sign --format cms --cert --digest, and --attached; verify --json with only the root names the composite and the chain; --key pins it', () => {
    run(['sign', content, '--format', 'cms', '--key', leaf.key, '--cert', at('leaf.pem'), '--digest', 'sha512']);
    const att = at('att.p7s');
    run(['sign', content, '--format', 'cms', '--key', leaf.key, '--attached', '--out', att]);
    const j = JSON.parse(run(['verify', content, '--trust-anchor', at('root.pem'), '--json']));
    expect(j).toMatchObject({ ok: true, format: 'cms', algorithm: ALG, composite: ALG, signature: `${content}.p7s` });
    expect(j.signers[0].chain).toEqual(['CN=leaf signer', 'CN=Hybrid Root']);
    expect(run(['verify', att, '--key', leaf.pub])).toMatch(new RegExp(`^OK ${att} \\(${ALG}, cms\\)`));
  });

  it('--digest other than the pre-hash, or a --cert for another key: exit 2, one line naming the file, nothing written', () => {
    const digest = pqsign(['sign', content, '--format', 'cms', '--key', leaf.key, '--digest', 'sha384', '--out', at('x.p7s')]);
    expect(digest.code).toBe(2);
    expect(digest.stderr).toMatch(/^pqsign: .*pre-hash sha512.*\n$/);
    const cert = pqsign(['sign', content, '--format', 'cms', '--key', leaf.key, '--cert', at('other.pem'), '--out', at('y.p7s')]);
    expect(cert.code).toBe(2);
    expect(cert.stderr).toMatch(/^pqsign: .*is not for the signing key\n$/);
    expect(existsSync(at('x.p7s'))).toBe(false);
    expect(existsSync(at('y.p7s'))).toBe(false);
  });

  it('a part of the composite signature altered: exit 1, one line naming the signature file', () => {
    const good = readFileSync(`${content}.p7s`);
    const t = Buffer.from(good);
    t[t.length - 20]! ^= 1; // the ECDSA part: a detached CMS without tokens ends with the signature
    writeFileSync(at('flip.p7s'), t);
    const r = pqsign(['verify', content, '--sig', at('flip.p7s'), '--key', leaf.pub]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^pqsign: ${at('flip.p7s')}: .*composite signature over the signed attributes does not verify.*\\n$`),
    );
  });

  it('a 256 MiB artifact streams once into the digest, in flat memory (detached and attached)', () => {
    const big = sparseFile(at('big.bin'), 256 * MiB);
    writeFileSync(at('tiny.bin'), 'x');
    for (const extra of [[], ['--attached']]) {
      const small = pqsignMeasured(['sign', at('tiny.bin'), '--format', 'cms', '--key', leaf.key, '--force', ...extra]);
      const large = pqsignMeasured(['sign', big, '--format', 'cms', '--key', leaf.key, '--force', ...extra]);
      expect(large.code, large.stderr).toBe(0);
      expect(large.maxRssMiB - small.maxRssMiB, 'memory grows with the artifact').toBeLessThan(64);
      if (large.readBytes !== undefined && small.readBytes !== undefined) {
        const read = (large.readBytes - small.readBytes) / MiB;
        expect(read).toBeGreaterThan(255.9); // the measurement is real
        expect(read, 'a second read of the artifact').toBeLessThan(256 + 4);
      }
      run(extra.length ? ['verify', `${big}.p7s`, '--key', leaf.pub] : ['verify', big, '--key', leaf.pub]);
    }
  });
});
