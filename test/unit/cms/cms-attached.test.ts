// Attached CMS in this process: the prefix length declared before the content streams (X.690 length
// growth), a file that changes while being signed leaves nothing, and Bouncy Castle verifying multi-chunk
// attached CMS made by sign --attached and by the offline ceremony. That the CLI reads a large artifact
// once is test/cli/cms-attached.test.ts.
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cms } from '../../../formats/cms.js';
import type { Format } from '../../../src/pipeline/format.js';
import { SignedDataBuilder } from '../../../src/cms/builder.js';
import { isPqsignError } from '../../../src/base/errors.js';
import { keygenFromSeed } from '../../../src/mldsa/mldsa.js';
import { signFile } from '../../../src/pipeline/sign.js';
import { PARAM_SETS, paramByName } from '../../../src/mldsa/params.js';
import { LocalSigner } from '../../../src/mldsa/signer.js';
import { HAVE_SHARED, NO_SHARED, oracle, sparseFile, tempDir } from '../../support/helpers.js';
import { keygenFiles, signWith, stripFile } from '../../support/inproc.js';
import { ceremony } from '../../support/ceremony-steps.js';

const MiB = 1024 * 1024;
const dir = tempDir('pqsign-cms-attached-unit-');
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

describe('an artifact that changes while being signed as attached CMS', () => {
  const params = paramByName('ML-DSA-65')!;
  const seed = new Uint8Array(32).fill(7);
  const signer = new LocalSigner({ params, seed, ...keygenFromSeed(params, seed), form: 'seed' });

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
    it(`${alg}: sign --attached, and tbs → sign-request → attach`, async () => {
      const { key, pub } = keygenFiles(dir, alg, alg);
      const signed = join(dir, `${alg}.p7s`);
      await signWith(content, key, { format: 'cms', out: signed, options: { attached: true } });
      const attached = join(dir, `${alg}.attached.p7s`);
      await ceremony(content, 'cms', pub, key, attached, { attached: true });
      for (const f of [signed, attached]) {
        const o = oracle(['cms', f, '', pub]);
        expect(o.ok, `${f}: ${o.stdout}${o.stderr}`).toBe(true);
        expect(o.stdout).toMatch(/: valid/);
        const stripped = `${f}.content`;
        await stripFile(f, stripped);
        expect(sha256(stripped)).toBe(sha256(content));
      }
    });
  }
});
