// Streaming base64url against Node's one-shot codec, over arbitrary chunk boundaries.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { base64urlDecoder, base64urlEncoder } from '../../../src/jose/b64url-stream.js';
import type { ChunkTransform } from '../../../src/io/transform.js';

/** Feed `data` through `t` cut at `cuts`, reusing one buffer per chunk the way readChunks does. */
function run(t: ChunkTransform, data: Uint8Array, cuts: number[]): Uint8Array {
  const out: Buffer[] = [];
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  let prev = 0;
  const scratch = Buffer.alloc(data.length); // a Buffer, as readChunks yields: its slice() is a view
  for (const end of [...points, data.length]) {
    if (end <= prev) continue;
    const chunk = scratch.subarray(0, end - prev);
    chunk.set(data.subarray(prev, end));
    t(chunk, (b) => out.push(Buffer.from(b)));
    chunk.fill(0xee); // the reader reuses its buffer: nothing may be kept by reference
    prev = end;
  }
  return new Uint8Array(Buffer.concat(out));
}

describe('streaming base64url', () => {
  it('encodes exactly like Buffer.toString("base64url") for any chunking', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat(), { maxLength: 12 }), (data, cuts) => {
        const got = Buffer.from(run(base64urlEncoder(data.length), data, cuts)).toString('latin1');
        expect(got).toBe(Buffer.from(data).toString('base64url'));
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes back to the bytes for any chunking', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat(), { maxLength: 12 }), (data, cuts) => {
        const text = new Uint8Array(Buffer.from(Buffer.from(data).toString('base64url'), 'latin1'));
        expect(Buffer.from(run(base64urlDecoder(text.length, 'x'), text, cuts)).equals(Buffer.from(data))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses characters outside the alphabet and impossible lengths', () => {
    const bad = (s: string) => () => run(base64urlDecoder(s.length, 'JWS payload'), new Uint8Array(Buffer.from(s, 'latin1')), [2]);
    expect(bad('ab+d')).toThrow(/JWS payload is not valid base64url \('\+'\)/);
    expect(bad('ab=d')).toThrow(/not valid base64url/);
    expect(bad('ab.d')).toThrow(/not valid base64url \('\.'\)/);
    expect(bad('abcde')).toThrow(/length 5/);
  });
});
