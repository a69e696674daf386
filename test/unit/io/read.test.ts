// src/io/read.ts: small files and ranges are read in one synchronous call, larger ones stream through
// the double-buffered asynchronous reader; both must give exactly the bytes of the range, in chunks no
// larger than asked for.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../../src/base/bytes.js';
import { readRange } from '../../../src/io/range.js';
import { READ_CHUNK, SYNC_READ_MAX, readChunks, readSmallFile, statInput } from '../../../src/io/read.js';
import { tempDir } from '../../support/helpers.js';

const dir = tempDir('pqsign-read-');
const data = randomBytes(SYNC_READ_MAX + 3 * 65536 + 17); // just past the synchronous limit
const file = join(dir, 'data.bin');
writeFileSync(file, data);

async function collect(path: string, opts: Parameters<typeof readChunks>[1]): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const c of readChunks(path, opts)) chunks.push(Uint8Array.from(c));
  return chunks;
}

describe('readChunks', () => {
  it('any range, any chunk size, on both sides of the synchronous limit: the exact bytes, chunks ≤ chunkSize', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: data.length }),
        fc.nat({ max: data.length + 10 }),
        fc.integer({ min: 16 * 1024, max: 2 * SYNC_READ_MAX }),
        async (a, b, chunkSize) => {
          const [start, end] = a <= b ? [a, b] : [b, a];
          const chunks = await collect(file, { start, end, chunkSize });
          expect(Buffer.from(concatBytes(...chunks)).equals(data.subarray(start, Math.min(end, data.length)))).toBe(true);
          for (const c of chunks) expect(c.length).toBeLessThanOrEqual(chunkSize);
          expect(chunks.every((c) => c.length > 0)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the whole file by default, reported by onProgress; an empty file gives no chunk', async () => {
    const seen: number[] = [];
    const chunks = await collect(file, { onProgress: (n) => seen.push(n) });
    expect(Buffer.from(concatBytes(...chunks)).equals(data)).toBe(true);
    expect(seen.at(-1)).toBe(data.length);
    expect(chunks.length).toBe(Math.ceil(data.length / READ_CHUNK));
    const empty = join(dir, 'empty.bin');
    writeFileSync(empty, '');
    expect(await collect(empty, {})).toEqual([]);
  });

  it('a FIFO is refused before it is opened (opening would block until a writer came)', async () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const notRegular = { code: 'ERR_FILE', message: expect.stringContaining('is not a regular file') };
    await expect(collect(fifo, {})).rejects.toMatchObject(notRegular);
    await expect(statInput(fifo)).rejects.toMatchObject(notRegular);
  }, 10_000);

  it('errors name the file: missing, a directory', async () => {
    await expect(collect(join(dir, 'missing'), {})).rejects.toMatchObject({ code: 'ERR_FILE', file: join(dir, 'missing') });
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    await expect(collect(sub, {})).rejects.toMatchObject({ code: 'ERR_FILE', message: expect.stringContaining('directory') });
  });
});

describe('readRange and readSmallFile', () => {
  it('readRange clips at the end of the file and refuses ranges over its bound', async () => {
    expect(Buffer.from(await readRange(file, 100, 200)).equals(data.subarray(100, 200))).toBe(true);
    expect(Buffer.from(await readRange(file, data.length - 5, data.length + 100)).equals(data.subarray(-5))).toBe(true);
    await expect(readRange(file, 0, 2 * 1024 * 1024)).rejects.toMatchObject({ code: 'ERR_FILE' });
  });

  it('readSmallFile reads small and large (asynchronous) files whole, bounded', async () => {
    expect(Buffer.from(await readSmallFile(file, 'data')).equals(data)).toBe(true);
    await expect(readSmallFile(file, 'signature', 4096)).rejects.toMatchObject({
      code: 'ERR_FILE',
      message: expect.stringContaining('signature is'),
    });
  });
});
