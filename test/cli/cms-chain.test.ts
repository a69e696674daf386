// The release-signing scenario at scale: root → intermediate → leaf signs a 256 MiB artifact (sparse);
// pqsign verifies it with only the root as trust anchor, in flat memory. Local keys here; the KMS
// variant swaps the key references. The detached-SignedData builder other formats reuse (UEFI) is tested in
// test/unit/cms/cms-chain.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pqsign, pqsignMeasured, sparseFile, tempDir } from '../support/helpers.js';
import { buildPkiInProcess } from '../support/inproc.js';
import type { Pki } from '../support/pki-fixture.js';

const MB = 1024 * 1024;
const dir = tempDir('pqsign-cms-chain-');
let pki: Pki;

beforeAll(async () => {
  pki = await buildPkiInProcess(dir); // set-up: the CLI runs are the signing and verifying
});

describe('CMS with a chain over large artifacts', () => {
  // 256 MiB is past the limit below plus Node's own ~40 MB: an artifact read whole could not pass
  it('256 MiB detached: root → intermediate → leaf, verified with only the root as anchor, memory flat', () => {
    const big = join(dir, 'release-256m.img');
    sparseFile(big, 256 * MB);
    const sig = join(dir, 'release-256m.img.p7s');
    const s = pqsignMeasured([
      'sign',
      big,
      '--format',
      'cms',
      '--key',
      pki.leafKey,
      '--cert',
      pki.leaf,
      '--chain',
      pki.inter,
      '--out',
      sig,
    ]);
    expect(s.code, s.stderr).toBe(0);
    const v = pqsignMeasured(['verify', big, '--trust-anchor', pki.root]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stderr).toMatch(/OK .*release-256m\.img \(ML-DSA-65, cms\)/);
    expect(s.maxRssMiB).toBeLessThan(150);
    expect(v.maxRssMiB).toBeLessThan(150);
    // one flipped bit in the middle of the artifact is caught
    const fd = openSync(big, 'r+');
    writeSync(fd, Buffer.from('X'), 0, 1, 128 * MB + 3);
    closeSync(fd);
    const t = pqsign(['verify', big, '--trust-anchor', pki.root]);
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(/does not match the messageDigest/);
  });

  it('128 MB attached: the container streams (verify memory stays below the content size); strip-ready', () => {
    const art = join(dir, 'attached-128m.bin');
    sparseFile(art, 128 * MB);
    const sig = join(dir, 'attached-128m.p7s');
    expect(
      pqsign(['sign', art, '--format', 'cms', '--attached', '--key', pki.leafKey, '--cert', pki.leaf, '--chain', pki.inter, '--out', sig])
        .code,
    ).toBe(0);
    expect(statSync(sig).size).toBeGreaterThan(128 * MB);
    const v = pqsignMeasured(['verify', sig, '--trust-anchor', pki.root]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.maxRssMiB).toBeLessThan(120);
  });
});
