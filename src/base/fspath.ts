// File names are bytes; pqsign's paths are strings. Node decodes names (argv, readdir) as UTF-8 and
// replaces bytes that are not UTF-8 with U+FFFD, so `bad\xff.bin` would be looked up as `bad\uFFFD.bin`
// and not be found. Instead each such byte is kept in the string as the lone surrogate U+DC80..U+DCFF
// (PEP 383's "surrogateescape", which UTF-8 text can never contain) and turned back into the byte at the
// file-system call (fsPath). Valid UTF-8 names stay plain strings, so only the fs calls in src/io and the
// two places that list names (argv in bin/, readdir in walk.ts) need to know. Buffer paths throughout
// would have touched every path in every format for the same result.
import { isUtf8 } from 'node:buffer';

/** A lone low surrogate in U+DC80..U+DCFF (not the second half of a pair): one escaped byte. */
const ESCAPED = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;
const ESCAPED_ALL = new RegExp(ESCAPED.source, 'g');

/** File-name bytes as a path string: UTF-8, each byte outside a well-formed sequence escaped. */
export function decodeFsName(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (isUtf8(buf)) return buf.toString('utf8');
  let out = '';
  let run = 0; // start of the current run of well-formed bytes
  for (let i = 0; i < buf.length;) {
    const n = sequenceLength(buf, i);
    if (n) {
      i += n;
      continue;
    }
    out += buf.toString('utf8', run, i) + String.fromCharCode(0xdc00 + buf[i]!);
    run = ++i;
  }
  return out + buf.toString('utf8', run);
}

/** Length of the well-formed UTF-8 sequence at `i` (Unicode Table 3-7), 0 if there is none. */
function sequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const [lo, hi] = c === 0xe0 ? [0xa0, 0xbf] : c === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const [lo, hi] = c === 0xf0 ? [0x90, 0xbf] : c === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** What to hand to an fs call: the string itself, or the original bytes when it holds escaped ones. */
export function fsPath(path: string): string | Buffer {
  if (!ESCAPED.test(path)) return path;
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of path.matchAll(ESCAPED_ALL)) {
    parts.push(Buffer.from(path.slice(last, m.index), 'utf8'), Buffer.of(m[0].charCodeAt(0) - 0xdc00));
    last = m.index + 1;
  }
  parts.push(Buffer.from(path.slice(last), 'utf8'));
  return Buffer.concat(parts);
}

/** Length of a path (or name) in bytes on disk. */
export function fsByteLength(path: string): number {
  const p = fsPath(path);
  return typeof p === 'string' ? Buffer.byteLength(p, 'utf8') : p.length;
}

/** A path for people: escaped bytes shown as \xNN (as `ls --quoting-style=escape` would). */
export function displayPath(path: string): string {
  return path.replace(ESCAPED_ALL, (c) => `\\x${(c.charCodeAt(0) - 0xdc00).toString(16).padStart(2, '0')}`);
}
