// Read one bounded byte range of a file into memory: container headers and trailers (COSE framing,
// JWS header and signature segments) that sit around a payload too large to read whole.
import { open } from 'node:fs/promises';
import { PqsignError } from '../errors.js';
import { fileError } from './read.js';

/** Bytes [start, end) of `path`; `end` beyond the file end is clipped. At most `maxBytes`. */
export async function readRange(path: string, start: number, end: number, maxBytes = 1024 * 1024): Promise<Uint8Array> {
  if (end - start > maxBytes) throw new PqsignError('ERR_FILE', `range of ${end - start} bytes is larger than expected`, { file: path });
  let fh;
  try {
    fh = await open(path, 'r');
    const buf = Buffer.alloc(Math.max(0, end - start));
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, start + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, got);
  } catch (e) {
    throw fileError(path, e);
  } finally {
    await fh?.close();
  }
}
