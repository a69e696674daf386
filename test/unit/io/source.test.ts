// src/io/source.ts: artifacts as files, bytes or streams, read in one pass; a stream's first bytes can be
// looked at before the pass and are replayed in it; a spooled stream lives in a private directory only
// as long as the source.
import { Readable } from 'node:stream';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytesSource, sourceOf, spool, streamSource, type Source } from '../../../src/io/source.js';
import { READ_CHUNK } from '../../../src/io/read.js';
import { tempDir } from '../../support/helpers.js';

// temporary files of this file's calls land in a directory of its own (vitest runs files in parallel)
process.env.TMPDIR = tempDir('pqsign-source-tmp-');
const data = new Uint8Array(READ_CHUNK + 12345).map((_, i) => (i * 131) & 0xff);
const pieces = (bytes: Uint8Array, n: number) =>
  Array.from({ length: Math.ceil(bytes.length / n) }, (_, i) => Buffer.from(bytes.subarray(i * n, (i + 1) * n)));

async function readAll(src: Source): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of src.chunks()) parts.push(Uint8Array.from(c));
  return Buffer.concat(parts);
}

describe('artifact sources', () => {
  it('a file, bytes, a Node stream and a web stream read to the same bytes; head() of a stream is replayed, not lost', async () => {
    const dir = tempDir('pqsign-source-');
    writeFileSync(join(dir, 'f'), data);
    const web = Readable.toWeb(Readable.from(pieces(data, 1000))) as unknown as ReadableStream<Uint8Array>;
    for (const src of [
      await sourceOf(join(dir, 'f')),
      bytesSource(data),
      streamSource(Readable.from(pieces(data, 7777))),
      await sourceOf(web),
    ]) {
      expect(Buffer.from(await src.head(10_000))).toEqual(Buffer.from(data.subarray(0, 10_000)));
      expect(Buffer.from(await src.head(5))).toEqual(Buffer.from(data.subarray(0, 5)));
      expect(Buffer.from(await readAll(src)).equals(data)).toBe(true); // not toEqual: a deep diff of 4 MiB is slow
    }
  });

  it('a stream is read once; its head() after the pass is refused', async () => {
    const src = streamSource(Readable.from(pieces(data, 4096)));
    await readAll(src);
    await expect(readAll(src)).rejects.toMatchObject({ code: 'ERR_USAGE' });
    await expect(src.head(1)).rejects.toThrow(/after the stream was read/);
  });

  it('a stream of strings is refused, not signed as text in some encoding', async () => {
    const src = streamSource(Readable.from(['abc', 'def'], { objectMode: true }), { name: 'text' });
    await expect(readAll(src)).rejects.toMatchObject({ code: 'ERR_USAGE', file: 'text' });
  });

  it('spool: a 0700 directory with a 0600 file, removed by close(); a declared size that does not arrive fails and leaves nothing', async () => {
    const spooled = await spool(streamSource(Readable.from(pieces(data, 65536)), { size: data.length }));
    expect(spooled.size).toBe(data.length);
    expect(statSync(spooled.path!).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(spooled.path!)).mode & 0o777).toBe(0o700);
    expect(Buffer.from(await readAll(spooled)).equals(data)).toBe(true);
    await spooled.close();
    expect(existsSync(dirname(spooled.path!))).toBe(false);

    const spoolDirs = () =>
      readdirSync(tmpdir())
        .filter((n) => n.startsWith('pqsign-tmp-'))
        .sort();
    const before = spoolDirs();
    const short = streamSource(Readable.from(pieces(data.subarray(1), 65536)), { size: data.length, name: 'short' });
    const e = await spool(short).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'ERR_FILE', file: 'short' });
    expect((e as Error).message).toContain(`declared as ${data.length} bytes`);
    expect(spoolDirs()).toEqual(before);
  });
});
