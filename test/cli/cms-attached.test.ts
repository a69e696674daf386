// Attached CMS at the command line: the artifact is read once by the process (bytes read, measured), and
// the container strips and verifies back to it. The prefix length, a file that changes while being signed
// and Bouncy Castle's checks run in-process in test/unit/cms/cms-attached.test.ts.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pqsignMeasured, sparseFile, tempDir } from '../support/helpers.js';
import { stripFile, verifyWith, writeKeyPair } from '../support/inproc.js';

const MiB = 1024 * 1024;
const dir = tempDir('pqsign-cms-attached-');
const sha256 = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

describe('signing an attached CMS', () => {
  const key = join(dir, 'k.pem');

  beforeAll(() => void writeKeyPair(key, undefined, 'ML-DSA-65'));

  it('reads a 64 MiB artifact once (bytes read by the process, against a 1-byte artifact)', async () => {
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
    // what the CLI wrote is the artifact, signed: strip and verify in this process
    const stripped = join(dir, 'big.stripped');
    await stripFile(`${big}.p7s`, stripped);
    expect(sha256(stripped)).toBe(sha256(big));
    expect(await verifyWith(`${big}.p7s`, key)).toMatchObject({ format: 'cms' });
  });
});
