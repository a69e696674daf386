// Read one bounded byte range of a file into memory: container headers and trailers (COSE framing,
// JWS header and signature segments, UEFI headers, format detection) that sit around a payload too large
// to read whole. Small ranges take readChunks' synchronous path.
import { concatList } from '../base/bytes.js';
import { PqsignError } from '../base/errors.js';
import { READ_CHUNK, readChunks } from './read.js';

/** Bytes [start, end) of `path`; `end` beyond the file end is clipped. At most `maxBytes`. */
export async function readRange(path: string, start: number, end: number, maxBytes = 1024 * 1024): Promise<Uint8Array> {
  if (end - start > maxBytes) throw new PqsignError('ERR_FILE', `range of ${end - start} bytes is larger than expected`, { file: path });
  const parts: Uint8Array[] = [];
  for await (const chunk of readChunks(path, { start, end, chunkSize: Math.max(1, Math.min(end - start, READ_CHUNK)) })) {
    parts.push(Uint8Array.from(chunk)); // chunks may be views into reused buffers
  }
  return parts.length === 1 ? parts[0]! : concatList(parts);
}
