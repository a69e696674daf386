// The cose format in this process: inspect and payload() without a key, detection against random bytes,
// raw signatures beside a COSE_Sign1, and openssl40 (oracle cose) verifying pqsign's COSE_Sign1 attached,
// detached and with external_aad. The command line's side is test/cli/cose.test.ts.
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cose } from '../../../formats/cose.js';
import { detectFormat } from '../../../src/pipeline/registry.js';
import { FIRMWARE, HAVE_SHARED, NO_SHARED, oracle, tempDir } from '../../support/helpers.js';
import { signWith, verifyWith, writeKeyPair } from '../../support/inproc.js';

const dir = tempDir('pqsign-cose-unit-');
const key44 = join(dir, 'k44.pem');
const pub44 = join(dir, 'p44.pem');
const fw = join(dir, 'fw.bin');
const attached = join(dir, 'fw.bin.cose');

beforeAll(async () => {
  copyFileSync(FIRMWARE, fw);
  writeKeyPair(key44, pub44, 'ML-DSA-44');
  await signWith(fw, key44, { format: 'cose' });
});

describe('COSE_Sign1 layout', () => {
  it('inspect and payload() locate the embedded payload without a key', async () => {
    const info = await cose.inspect!(attached);
    expect(info).toMatchObject({
      format: 'cose',
      tagged: true,
      alg: -48,
      algorithm: 'ML-DSA-44',
      detached: false,
      payloadBytes: 262144,
      signatureBytes: 2420,
    });
    const loc = await cose.payload!(attached);
    expect(Buffer.compare(readFileSync(attached).subarray(loc.start, loc.end), readFileSync(fw))).toBe(0);
  });
});

describe('detection', () => {
  it('random bytes (a raw signature, say) are not taken for COSE or JWS', () => {
    // xorshift32, fixed seed: the counts below are reproducible, not a matter of luck
    let x = 0x9e3779b9;
    const rand = (n: number) => {
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        x ^= x << 13;
        x >>>= 0;
        x ^= x >>> 17;
        x ^= x << 5;
        x >>>= 0;
        b[i] = x & 0xff;
      }
      return b;
    };
    let hits = 0;
    for (let i = 0; i < 100_000; i++) if (detectFormat(rand(128))) hits++;
    expect(hits).toBe(0);
    // even when the first two bytes already say "tag 18, array of 4", the rest must agree
    let prefixed = 0;
    for (let i = 0; i < 50_000; i++) {
      const b = rand(128);
      b[0] = 0xd2;
      b[1] = 0x84;
      if (detectFormat(b)) prefixed++;
    }
    expect(prefixed / 50_000).toBeLessThan(1e-3);
  });

  it('raw signatures next to the file still verify as raw', async () => {
    const sig = join(dir, 'fw.bin.sig');
    for (let i = 0; i < 3; i++) {
      await signWith(fw, key44, { out: sig });
      expect(await verifyWith(fw, pub44, { sig })).toMatchObject({ format: 'raw' });
    }
  });
});

describe.skipIf(!HAVE_SHARED)(`oracle cose (openssl40) verifies pqsign's COSE_Sign1 ${HAVE_SHARED ? '' : NO_SHARED}`, () => {
  for (const alg of ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87']) {
    it(`${alg}: attached, detached, detached with aad`, async () => {
      const k = join(dir, `o-${alg}.pem`);
      const p = join(dir, `o-${alg}.pub.pem`);
      writeKeyPair(k, p, alg);
      const att = join(dir, `o-${alg}.cose`);
      const det = join(dir, `o-${alg}.det.cose`);
      const aad = join(dir, `o-${alg}.aad.cose`);
      await signWith(fw, k, { format: 'cose', out: att });
      await signWith(fw, k, { format: 'cose', out: det, options: { detached: true } });
      await signWith(fw, k, { format: 'cose', out: aad, options: { detached: true, aad: 'a1b2c3', contentType: '42' } });
      for (const [file, args] of [
        [att, []],
        [det, [fw]],
        [aad, [fw, 'a1b2c3']],
      ] as const) {
        const o = oracle(['cose', p, file, ...args]);
        expect(o.ok, o.stdout + o.stderr).toBe(true);
        expect(o.stdout).toMatch(/valid/);
      }
      // and the oracle does reject: wrong aad
      expect(oracle(['cose', p, aad, fw, 'a1b2c4']).ok).toBe(false);
    });
  }
});
