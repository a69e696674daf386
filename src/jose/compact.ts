// A compact JWS file (RFC 7515 §7.1): BASE64URL(header) '.' BASE64URL(payload) '.' BASE64URL(signature).
// The payload segment may be gigabytes, so only the header (from the beginning of the file) and the
// signature (from its end) are read; the payload is located by the first and last '.'.
import { PqsignError, inFile } from '../base/errors.js';
import { readRange } from '../io/range.js';
import { statInput } from '../io/read.js';
import { checkBase64urlBytes } from './b64url-stream.js';

export interface CompactJwsFile {
  headerSegment: string;
  /** byte range of the payload segment (base64url text) in the file; empty when detached */
  payload: { start: number; end: number };
  signatureSegment: string;
}

const DOT = 0x2e;
/** The header segment must end within this many bytes. */
const HEADER_WINDOW = 64 * 1024;
/** The signature segment is at most this long (ML-DSA-87: 4627 bytes, 6170 characters). */
const SIGNATURE_WINDOW = 8 * 1024;

const bad = (message: string) => new PqsignError('ERR_SIGNATURE_FORMAT', message);
const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

export const readCompactJws = (path: string): Promise<CompactJwsFile> => inFile(path, () => parse(path));

async function parse(path: string): Promise<CompactJwsFile> {
  const { size } = await statInput(path);
  // one trailing line break is tolerated: files are often written by `echo` or editors
  const last2 = await readRange(path, Math.max(0, size - 2), size);
  const end = size - (last2.at(-1) === 0x0a ? (last2.at(-2) === 0x0d ? 2 : 1) : 0);
  if (end === 0) throw bad('is empty, not a compact JWS');

  const head = await readRange(path, 0, Math.min(end, HEADER_WINDOW), HEADER_WINDOW);
  const first = head.indexOf(DOT);
  if (first < 0) throw bad(head.length < end ? `JWS header is longer than ${HEADER_WINDOW / 1024} KiB` : 'not a compact JWS (no ".")');
  const tailStart = Math.max(first + 1, end - SIGNATURE_WINDOW);
  const tail = await readRange(path, tailStart, end, SIGNATURE_WINDOW);
  const lastInTail = tail.lastIndexOf(DOT);
  if (lastInTail < 0) {
    throw bad(
      `no signature part found (a compact JWS is header.payload.signature; an ML-DSA signature part is at most ${SIGNATURE_WINDOW} characters)`,
    );
  }
  const last = tailStart + lastInTail;
  const headerBytes = head.subarray(0, first);
  const signatureBytes = tail.subarray(lastInTail + 1);
  checkBase64urlBytes(headerBytes, 'JWS header');
  checkBase64urlBytes(signatureBytes, 'JWS signature');
  return { headerSegment: latin1(headerBytes), payload: { start: first + 1, end: last }, signatureSegment: latin1(signatureBytes) };
}
