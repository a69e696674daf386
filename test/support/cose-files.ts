// Reading and building COSE_Sign1 files in tests: a file's bytes as a plain Uint8Array (cbor2 would encode a
// Buffer as a typed array, not a bstr), its four items, and byte strings joined from hex and bytes.
import { readFileSync } from 'node:fs';
import { decode } from 'cbor2';

export const readBytes = (file: string) => new Uint8Array(readFileSync(file));

export const cat = (...parts: (string | Uint8Array)[]) =>
  new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'hex') : Buffer.from(p)))));

/** The four items of a tagged COSE_Sign1 file pqsign wrote (throws on another tag). */
export function coseItems(file: string): { prot: Uint8Array; payload: Uint8Array | null; sig: Uint8Array } {
  const t = decode(readBytes(file)) as { tag: number; contents: [Uint8Array, unknown, Uint8Array | null, Uint8Array] };
  if (t.tag !== 18) throw new Error(`${file}: tag ${t.tag}, not COSE_Sign1 (18)`);
  return { prot: t.contents[0], payload: t.contents[2], sig: t.contents[3] };
}
