// Streaming: a 160 MiB attached COSE_Sign1 is signed, written and verified with flat memory; JWS
// base64url carries across 4 MiB read chunks correctly, and the RFC 7797 detached signing input is the
// file as read (both checked by the oracles on a multi-chunk file).
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cose } from '../../formats/cose.js';
import { jws } from '../../formats/jws.js';
import { readChunks } from '../../src/io/read.js';
import { HAVE_SHARED, NO_SHARED, oracle, pqsign, pqsignMeasured, sparseFile, tempDir } from '../support/helpers.js';

const dir = tempDir('pqsign-stream-');
const key = join(dir, 'k.pem');
const pub = join(dir, 'p.pem');
async function sha256OfRange(
  path: string,
  start: number,
  end: number,
  transform?: (c: Uint8Array, e: (b: Uint8Array) => void) => void,
): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of readChunks(path, { start, end })) {
    if (transform) transform(chunk, (b) => h.update(b));
    else h.update(chunk);
  }
  return h.digest('hex');
}

beforeAll(() => {
  expect(pqsign(['keygen', '--alg', 'ML-DSA-65', '--out', key, '--pub', pub]).code).toBe(0);
});

describe('160 MiB attached COSE_Sign1 and JWS', () => {
  // past the 64 MiB allowed growth by far: a payload (or its base64url) held in memory could not pass
  const SIZE = 160 * 1024 * 1024;
  const small = join(dir, 'small.bin');
  const big = join(dir, 'big.bin');

  beforeAll(() => {
    sparseFile(small, 1024 * 1024);
    sparseFile(big, SIZE);
  });

  for (const format of ['cose', 'jws'] as const) {
    it(`${format}: signs, writes and verifies with flat memory (peak RSS independent of the input size)`, async () => {
      const signSmall = pqsignMeasured(['sign', small, '--key', key, '--format', format]);
      const signBig = pqsignMeasured(['sign', big, '--key', key, '--format', format]);
      expect(signSmall.code, signSmall.stderr).toBe(0);
      expect(signBig.code, signBig.stderr).toBe(0);
      const container = `${big}.${format}`;
      expect(statSync(container).size).toBeGreaterThan(SIZE);
      const verifySmall = pqsignMeasured(['verify', `${small}.${format}`, '--key', pub]);
      const verifyBig = pqsignMeasured(['verify', container, '--key', pub]);
      expect(verifySmall.code, verifySmall.stderr).toBe(0);
      expect(verifyBig.code, verifyBig.stderr).toBe(0);
      // the payload alone is 160 MiB; streaming keeps the difference to buffers and GC slack
      for (const [s, b] of [
        [signSmall, signBig],
        [verifySmall, verifyBig],
      ] as const) {
        expect(b.maxRssMiB - s.maxRssMiB, `peak RSS ${s.maxRssMiB.toFixed(0)} MiB -> ${b.maxRssMiB.toFixed(0)} MiB`).toBeLessThan(64);
        expect(b.maxRssMiB).toBeLessThan(200);
      }
      // the embedded payload is the file, byte for byte
      const loc = await (format === 'cose' ? cose : jws).payload!(container);
      expect(await sha256OfRange(container, loc.start, loc.end, loc.transform)).toBe(await sha256OfRange(big, 0, SIZE));
      rmSync(container);
    });
  }
});

describe('a multi-chunk payload (random, 9 MiB + 1 byte: base64url groups straddle the 4 MiB reads)', () => {
  const SIZE = 9 * 1024 * 1024 + 1;
  const file = join(dir, 'random.bin');

  beforeAll(() => writeFileSync(file, randomBytes(SIZE)));

  it('attached JWS: the embedded payload decodes to the file, pqsign verifies; so do both detached forms', async () => {
    expect(pqsign(['sign', file, '--key', key, '--format', 'jws']).code).toBe(0);
    const loc = await jws.payload!(`${file}.jws`);
    expect(await sha256OfRange(`${file}.jws`, loc.start, loc.end, loc.transform)).toBe(await sha256OfRange(file, 0, SIZE));
    expect(pqsign(['verify', `${file}.jws`, '--key', pub]).code).toBe(0);
    for (const [out, flags] of [
      ['random.det.jws', []],
      ['random.det-b64.jws', ['--b64']],
    ] as const) {
      const det = join(dir, out);
      expect(pqsign(['sign', file, '--key', key, '--format', 'jws', '--detached', ...flags, '--out', det]).code).toBe(0);
      expect(pqsign(['verify', det, '--key', pub, '--payload', file]).code).toBe(0);
    }
  });

  it.skipIf(!HAVE_SHARED)(`the oracles verify the multi-chunk JWS and COSE_Sign1 ${HAVE_SHARED ? '' : NO_SHARED}`, () => {
    const o = oracle(['jws', pub, `${file}.jws`]);
    expect(o.ok, o.stdout + o.stderr).toBe(true);
    const [h, , s] = readFileSync(join(dir, 'random.det-b64.jws'), 'latin1').split('.');
    const re = join(dir, 'random.re.jws');
    writeFileSync(re, `${h}.${readFileSync(file).toString('base64url')}.${s}`);
    expect(oracle(['jws', pub, re]).ok).toBe(true);
    // RFC 7797 detached: the signing input is ASCII(BASE64URL(header) '.') ‖ the file, streamed as read
    const [uh, , us] = readFileSync(join(dir, 'random.det.jws'), 'latin1').split('.');
    const tbs = join(dir, 'random.unencoded.tbs');
    const sig = join(dir, 'random.unencoded.sig');
    writeFileSync(tbs, Buffer.concat([Buffer.from(`${uh}.`), readFileSync(file)]));
    writeFileSync(sig, Buffer.from(us!, 'base64url'));
    const u = oracle(['verify', 'ML-DSA-65', pub, sig, tbs]);
    expect(u.ok, u.stdout + u.stderr).toBe(true);
    expect(pqsign(['sign', file, '--key', key, '--format', 'cose']).code).toBe(0);
    const c = oracle(['cose', pub, `${file}.cose`]);
    expect(c.ok, c.stdout + c.stderr).toBe(true);
  });
});
