// For the UEFI tests: an independent reader of images, written from docs/formats/uefi.md (not from the
// writer's code) — the doc's GUID tables, the EFI_GUID serialization it states, the byte offsets of its
// layout table — and changed copies of a good image for the rejection cases.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flipByte, ROOT } from './helpers.js';

export const DOC = readFileSync(join(ROOT, 'docs', 'formats', 'uefi.md'), 'utf8');

/** The compact CertType table of the doc: parameter set → {guid text, serialized hex}. */
export function docGuidTable(): Record<string, { text: string; serialized: string }> {
  const out: Record<string, { text: string; serialized: string }> = {};
  for (const m of DOC.matchAll(/^\| (ML-DSA-\d\d)\s*\| `([0-9a-f-]{36})`\s*\| `([0-9a-f]{32})`/gm))
    out[m[1]!] = { text: m[2]!, serialized: m[3]! };
  return out;
}

/** The pkcs7 CertType row of the doc (the one GUID row without a parameter set). */
export function docPkcs7Guid(): { text: string; serialized: string } {
  const m = /^\| `([0-9a-f-]{36})`\s*\| `([0-9a-f]{32})`/m.exec(DOC);
  if (!m) throw new Error('docs/formats/uefi.md has no pkcs7 CertType row');
  return { text: m[1]!, serialized: m[2]! };
}

/** EFI_GUID serialization as the doc states it: Data1/2/3 little-endian, Data4 as written. */
export function guidLE(text: string): Buffer {
  const b = Buffer.from(text.replace(/-/g, ''), 'hex');
  const rev = (x: Buffer) => Buffer.from(x).reverse();
  return Buffer.concat([rev(b.subarray(0, 4)), rev(b.subarray(4, 6)), rev(b.subarray(6, 8)), b.subarray(8, 16)]);
}

/** Plain byte-offset reader of the layout table. */
export function readHeader(buf: Buffer) {
  const dwLength = buf.readUInt32LE(8);
  return {
    count: buf.readBigUInt64LE(0),
    countBytes: buf.subarray(0, 8),
    dwLength,
    wRevision: buf.readUInt16LE(12),
    wCertificateType: buf.readUInt16LE(14),
    certType: buf.subarray(16, 32),
    certData: buf.subarray(32, 8 + dwLength),
    payload: buf.subarray(8 + dwLength),
  };
}

/** Changed copies of a good image, each written to its own file. */
export function variantMaker(dir: string, base: () => Buffer): (edit: (b: Buffer) => Buffer) => string {
  let n = 0;
  return (edit) => {
    const f = join(dir, `variant-${n++}.signed`);
    writeFileSync(f, edit(Buffer.from(base())));
    return f;
  };
}

/** An edit that flips the lowest bit of the byte at `at(image)`. */
export const flip = (at: (b: Buffer) => number) => (b: Buffer) => flipByte(b, at(b));

/** FIPS 204 Table 2 sizes, written out here so the tests check the code's table, not read it back. */
export const SIZES = {
  'ML-DSA-44': { pk: 1312, sig: 2420 },
  'ML-DSA-65': { pk: 1952, sig: 3309 },
  'ML-DSA-87': { pk: 2592, sig: 4627 },
} as const;
export type Alg = keyof typeof SIZES;
export const ALGS = Object.keys(SIZES) as Alg[];

/** The compact CertType's CertData split as the doc's table says. */
export function readImage(buf: Buffer, alg: Alg) {
  const h = readHeader(buf);
  return { ...h, publicKey: h.certData.subarray(0, SIZES[alg].pk), signature: h.certData.subarray(SIZES[alg].pk) };
}
