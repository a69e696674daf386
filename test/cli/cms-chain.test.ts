// The release-signing scenario at scale: root → intermediate → leaf signs a 500 MB artifact (sparse);
// pqsign verifies it with only the root as trust anchor, in flat memory. Local keys here; the KMS
// variant swaps the key references. Also the detached-SignedData builder other formats reuse (UEFI).
import { beforeAll, describe, expect, it } from 'vitest';
import { closeSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { HAVE_SHARED, NO_SHARED, hex, oracle, pqsign, pqsignMeasured, sparseFile, tempDir } from '../support/helpers.js';
import { buildPki, type Pki } from '../support/pki-fixture.js';
import { buildDetachedSignedData } from '../../src/cms/builder.js';
import { loadSigner } from '../../src/pipeline/keyref.js';
import { readCertificates } from '../../src/pki/cert-file.js';

const MB = 1024 * 1024;
const dir = tempDir('pqsign-cms-chain-');
let pki: Pki;

beforeAll(() => {
  pki = buildPki(dir);
});

describe('CMS with a chain over large artifacts', () => {
  it('500 MB detached: root → intermediate → leaf, verified with only the root as anchor, memory flat', () => {
    const big = join(dir, 'release-500m.img');
    sparseFile(big, 500 * MB);
    const sig = join(dir, 'release-500m.img.p7s');
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
    expect(v.stderr).toMatch(/OK .*release-500m\.img \(ML-DSA-65, cms\)/);
    expect(s.maxRssMiB).toBeLessThan(200);
    expect(v.maxRssMiB).toBeLessThan(200);
    // one flipped bit in the middle of the artifact is caught
    const fd = openSync(big, 'r+');
    writeSync(fd, Buffer.from('X'), 0, 1, 250 * MB + 3);
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

describe('buildDetachedSignedData (reused by formats that embed PKCS#7, e.g. UEFI)', () => {
  it('signs payload ‖ MonotonicCount; DER header is 30 82 .. .. 06 09 <signedData> A0 82; verifies with pqsign', async () => {
    const signer = await loadSigner(pki.leafKey);
    const certificates = [...(await readCertificates(pki.leaf)), ...(await readCertificates(pki.inter))];
    const payload = Buffer.from('capsule payload bytes '.repeat(100));
    const count = Buffer.from('0100000000000000', 'hex'); // UINT64 MonotonicCount, little endian
    const der = await buildDetachedSignedData(signer, [payload, count], { certificates });
    expect(hex(der.subarray(0, 2))).toBe('3082');
    expect((der[2]! << 8) | der[3]!).toBe(der.length - 4);
    expect(hex(der.subarray(4, 17))).toBe('06092a864886f70d010702a082');
    const p7 = join(dir, 'capsule.p7');
    const signed = join(dir, 'capsule.signed');
    writeFileSync(p7, der);
    writeFileSync(signed, Buffer.concat([payload, count]));
    const r = pqsign(['verify', p7, '--content', signed, '--trust-anchor', pki.root]);
    expect(r.code, r.stderr).toBe(0);
    if (HAVE_SHARED) expect(oracle(['cms', p7, signed]).ok).toBe(true);
    else console.warn(`SKIP oracle check: ${NO_SHARED}`);
  });
});
