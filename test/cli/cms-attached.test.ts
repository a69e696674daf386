// Attached CMS is written in the one streaming pass (src/pipeline/format.ts `embedding`): the artifact is read
// once, its bytes go into the output while they are digested, and the prefix length declared before
// signing is the one the signature's container has; a file that changes while being signed leaves nothing.
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cms } from '../../formats/cms.js';
import type { Format } from '../../src/pipeline/format.js';
import { SignedDataBuilder } from '../../src/cms/builder.js';
import { isPqsignError } from '../../src/base/errors.js';
import { keygenFromSeed } from '../../src/mldsa/mldsa.js';
import { signFile } from '../../src/pipeline/sign.js';
import { PARAM_SETS, paramByName } from '../../src/mldsa/params.js';
import { LocalSigner } from '../../src/mldsa/signer.js';
import { HAVE_SHARED, NO_SHARED, oracle, pqsign, pqsignMeasured, sparseFile, tempDir } from '../support/helpers.js';
import { keygen, run } from '../support/pki-fixture.js';

const MiB = 1024 * 1024;
const dir = tempDir('pqsign-cms-attached-');
const sha256 = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
const leftovers = () => readdirSync(dir).filter((f) => f.includes('.tmp-'));

describe('the attached prefix length is known before the content streams', () => {
  // sizes where a DER length grows a byte (X.690 §8.1.3.5), for the OCTET STRING and every enclosing header
  const SIZES = [0, 1, 100, 127, 128, 255, 256, 65_000, 65_535, 65_536, 16 * MiB - 6_000, 16 * MiB];
  const zeros = new Uint8Array(MiB);

  for (const params of PARAM_SETS) {
    it(`${params.name}: attachedOffset(size) is attached(signature).prefix.length`, () => {
      const { publicKey } = keygenFromSeed(params, new Uint8Array(32).fill(3));
      for (const size of SIZES) {
        const b = new SignedDataBuilder({ params, publicKey, signingTime: new Date('2026-01-02T03:04:05Z') });
        const offset = b.attachedOffset(size);
        for (let left = size; left > 0; left -= zeros.length) b.update(zeros.subarray(0, Math.min(left, zeros.length)));
        b.signedAttributes();
        const { prefix } = b.attached(randomBytes(params.signatureBytes));
        expect(prefix.length, `${size} bytes`).toBe(offset);
      }
    });
  }
});

describe('signing an attached CMS', () => {
  const params = paramByName('ML-DSA-65')!;
  const seed = new Uint8Array(32).fill(7);
  const signer = new LocalSigner({ params, seed, ...keygenFromSeed(params, seed), form: 'seed' });
  const key = join(dir, 'k.pem');

  beforeAll(() => run(['keygen', '--alg', 'ML-DSA-65', '--out', key]));

  it('reads a 64 MiB artifact once (bytes read by the process, against a 1-byte artifact)', () => {
    const big = sparseFile(join(dir, 'big.bin'), 64 * MiB);
    const tiny = join(dir, 'tiny.bin');
    writeFileSync(tiny, 'x');
    const small = pqsignMeasured(['sign', tiny, '--format', 'cms', '--attached', '--key', key]);
    const large = pqsignMeasured(['sign', big, '--format', 'cms', '--attached', '--key', key]);
    expect(small.code, small.stderr).toBe(0);
    expect(large.code, large.stderr).toBe(0);
    if (large.readBytes === undefined || small.readBytes === undefined) {
      console.warn('SKIP bytes-read check: /proc/self/io is absent (not Linux)');
    } else {
      const extra = large.readBytes - small.readBytes;
      // a second read of the artifact would add another 64 MiB
      expect(extra / MiB, `${large.readBytes} - ${small.readBytes} bytes read`).toBeGreaterThan(63.9); // the measurement is real (start-up reads vary by a few bytes)
      expect(extra / MiB).toBeLessThan(64 + 4);
    }
    const stripped = join(dir, 'big.stripped');
    expect(pqsign(['strip', `${big}.p7s`, '--out', stripped]).code).toBe(0);
    expect(sha256(stripped)).toBe(sha256(big));
    const v = pqsign(['verify', `${big}.p7s`, '--key', key]);
    expect(v.code, v.stderr).toBe(0);
  });

  /** The real cms format, with `during` run at a point of the signing pass. */
  const changing = (at: 'beginSign' | 'firstChunk', during: (path: string) => void): Format => ({
    ...cms,
    async beginSign(req) {
      const session = await cms.beginSign(req);
      if (at === 'beginSign') during(req.artifact.path);
      let first = true;
      return {
        ...session,
        update(chunk, emit) {
          if (first && at === 'firstChunk') during(req.artifact.path);
          first = false;
          session.update(chunk, emit);
        },
      };
    },
  });

  // how much is read after the truncation depends on whether the read-ahead got there first
  const cases = [
    [
      'grows after its size was taken',
      'beginSign',
      (f: string) => appendFileSync(f, 'appended'),
      /changed while being signed \(12582912 bytes before, 12582920 read\)/,
    ],
    [
      'shrinks while its content is written into the output',
      'firstChunk',
      (f: string) => truncateSync(f, 5 * MiB),
      /changed while being signed \(12582912 bytes before, \d+ read\)/,
    ],
  ] as const;
  for (const [what, at, during, message] of cases) {
    it(`an artifact that ${what}: ERR_FILE, nothing written, nothing left behind`, async () => {
      const f = sparseFile(join(dir, `changing-${at}.bin`), 12 * MiB); // three 4 MiB reads
      const out = `${f}.p7s`;
      const err = await signFile(f, out, changing(at, during), signer, {
        context: new Uint8Array(0),
        formatOptions: { attached: true },
      }).catch((e) => e);
      expect(isPqsignError(err) && err.code, String(err)).toBe('ERR_FILE');
      expect(err.message).toMatch(message);
      expect(existsSync(out)).toBe(false);
      expect(leftovers()).toEqual([]);
    });
  }
});

describe.skipIf(!HAVE_SHARED)(`Bouncy Castle verifies multi-chunk attached CMS${HAVE_SHARED ? '' : ` (${NO_SHARED})`}`, () => {
  // random, 9 MiB + 1 byte: the content spans three 4 MiB reads, so it is written by several flushes
  const content = join(dir, 'random.bin');
  beforeAll(() => writeFileSync(content, randomBytes(9 * MiB + 1)));

  for (const alg of ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87']) {
    it(`${alg}: sign --attached, and tbs → sign-request → attach`, () => {
      const key = keygen(dir, alg, alg);
      const pub = join(dir, `${alg}.pub.pem`);
      run(['pubkey', '--key', key, '--out', pub]);
      const signed = join(dir, `${alg}.p7s`);
      run(['sign', content, '--format', 'cms', '--attached', '--key', key, '--out', signed]);
      const req = join(dir, `${alg}.req.json`);
      const sig = join(dir, `${alg}.sig`);
      const attached = join(dir, `${alg}.attached.p7s`);
      run(['tbs', content, '--format', 'cms', '--attached', '--key', pub, '--out', req]);
      run(['sign-request', req, '--key', key, '--out', sig]);
      run(['attach', content, '--request', req, '--signature', sig, '--out', attached]);
      for (const f of [signed, attached]) {
        const o = oracle(['cms', f, '', pub]);
        expect(o.ok, `${f}: ${o.stdout}${o.stderr}`).toBe(true);
        expect(o.stdout).toMatch(/: valid/);
        const stripped = `${f}.content`;
        run(['strip', f, '--out', stripped]);
        expect(sha256(stripped)).toBe(sha256(content));
      }
    });
  }
});
