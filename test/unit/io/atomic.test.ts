// Atomic outputs: the target appears whole on commit, never on abort, and large outputs (flushed to disk
// in the background while they are written) come out byte for byte.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtomicWriter, isTempName, removeTempFilesSync, tempNameFor, writeFileAtomic } from '../../../src/io/atomic.js';
import { tempDir } from '../../support/helpers.js';

const MiB = 1024 * 1024;
/** 100 MiB in distinct 4 MiB blocks: past several background flushes (one per 32 MiB written) */
const blocks = Array.from({ length: 25 }, (_, i) => new Uint8Array(4 * MiB).fill(i + 1));
const sha256 = (...parts: Uint8Array[]) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest('hex');

describe('AtomicWriter', () => {
  it('commits a 100 MiB output written in blocks, with a header back-filled at offset 0', async () => {
    const dir = tempDir('pqsign-atomic-');
    const out = join(dir, 'image.out');
    writeFileSync(out, 'old contents');
    const w = await AtomicWriter.create(out);
    const header = new Uint8Array(16).fill(0xee);
    let pos = header.length;
    for (const b of blocks) {
      await w.writeAt(b, pos);
      pos += b.length;
    }
    expect(readFileSync(out, 'utf8')).toBe('old contents'); // untouched until commit
    await w.writeAt(header, 0);
    await w.commit();
    expect(statSync(out).size).toBe(16 + 100 * MiB);
    expect(sha256(readFileSync(out))).toBe(sha256(header, ...blocks));
    expect(readdirSync(dir)).toEqual(['image.out']);
  });

  it('abort after large writes leaves neither the target nor a temp file', async () => {
    const dir = tempDir('pqsign-atomic-');
    const out = join(dir, 'image.out');
    const w = await AtomicWriter.create(out);
    for (const b of blocks) await w.write(b);
    await w.abort();
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('temp names', () => {
  it('an output name of 234-255 bytes still gets a temp file beside it', async () => {
    const dir = tempDir('pqsign-atomic-');
    for (const n of [234, 240, 250, 255]) {
      const name = 'n'.repeat(n);
      await writeFileAtomic(join(dir, name), 'x');
      expect(readFileSync(join(dir, name), 'utf8')).toBe('x');
    }
    // cut at a character boundary: a 3-byte character is kept whole or dropped
    const wide = '€'.repeat(85); // 255 bytes
    const tmp = tempNameFor(wide);
    expect(Buffer.byteLength(tmp)).toBeLessThanOrEqual(255);
    expect(tmp).toMatch(/^\.€+\.tmp-[0-9a-f]{12}$/);
    await writeFileAtomic(join(dir, wide), 'y');
    expect(readdirSync(dir)).toHaveLength(5);
  });

  it('are recognised as ours, and a live one is removed by removeTempFilesSync', async () => {
    const dir = tempDir('pqsign-atomic-');
    const w = await AtomicWriter.create(join(dir, 'out.bin'));
    await w.write(new Uint8Array(10));
    const [tmp] = readdirSync(dir);
    expect(isTempName(tmp!)).toBe(true);
    expect(['out.bin', '.out.bin', 'out.bin.tmp-0123456789ab', '.out.bin.tmp-0123'].some(isTempName)).toBe(false);
    expect(removeTempFilesSync()).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
    expect(removeTempFilesSync()).toBe(0); // committed, aborted or removed: not counted again
    await w.abort();
  });
});
