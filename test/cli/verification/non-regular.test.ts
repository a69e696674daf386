// Bypass 4 of the review (issue 12): every input path is a regular file. A device stats as 0 bytes (so an
// empty-content signature "verified" /dev/urandom), a FIFO blocked forever, a process substitution read as
// wrong content. Each must now fail at once with exit 2 and "is not a regular file".
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, pqsign, tempDir } from '../../support/helpers.js';
import { writeKeyPair } from '../../support/keygen.js';

const dir = tempDir();
const p = (f: string) => join(dir, f);

/** The CLI with a deadline: a hang is a failure, not a stuck suite. */
function bounded(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status ?? -1, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  writeKeyPair(p('k.pem'), p('k.pub'), 'ML-DSA-44');
  writeFileSync(p('empty.bin'), '');
  writeFileSync(p('fw.bin'), 'firmware');
  for (const f of ['empty.bin', 'fw.bin']) {
    expect(pqsign(['sign', p(f), '--key', p('k.pem'), '--format', 'cms']).code).toBe(0);
    expect(pqsign(['sign', p(f), '--key', p('k.pem')]).code).toBe(0);
  }
  expect(spawnSync('mkfifo', [p('fifo')]).status).toBe(0);
});

describe('bypass 4: non-regular inputs', () => {
  for (const dev of ['/dev/urandom', '/dev/zero', '/dev/null']) {
    it(`a CMS over empty content does not verify ${dev} (exit 2, not a regular file)`, () => {
      const r = bounded(['verify', p('empty.bin.p7s'), '--content', dev, '--key', p('k.pub')]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`${dev}: is not a regular file`);
    });
    it(`a raw signature over empty content does not verify ${dev}`, () => {
      const r = bounded(['verify', dev, '--sig', p('empty.bin.sig'), '--key', p('k.pub')]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('is not a regular file');
    });
  }

  it('--content FIFO fails at once instead of hanging', () => {
    const r = bounded(['verify', p('fw.bin.p7s'), '--content', p('fifo'), '--key', p('k.pub')]);
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('fifo: is not a regular file');
  });

  it('verify-attestation FIFO fails at once instead of hanging', () => {
    const r = bounded(['verify-attestation', p('fifo'), '--key', p('k.pub')]);
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('is not a regular file');
  });

  it('--content <(cat f): a pipe is refused as not a regular file, not "content does not match"', () => {
    const r = spawnSync(
      'bash',
      ['-c', `"${process.execPath}" "${CLI}" verify "${p('fw.bin.p7s')}" --content <(cat "${p('fw.bin')}") --key "${p('k.pub')}"`],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain('is not a regular file');
  });

  it('a FIFO is not signed either', () => {
    const r = bounded(['sign', p('fifo'), '--key', p('k.pem'), '--out', p('fifo.sig')]);
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('is not a regular file');
  });
});
