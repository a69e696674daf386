// A minimal strict DER reader/writer for the few fixed structures pqsign parses on the hot start-up path
// (PKCS#8, SPKI, the SPKI inside a certificate). Full CMS/X.509 work uses pkijs/asn1js instead.
import { PqsignError } from '../base/errors.js';

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
  CTX0_PRIM: 0x80,
  CTX0_CONS: 0xa0,
} as const;

export interface Tlv {
  tag: number;
  /** the value bytes */
  value: Uint8Array;
  /** the whole TLV */
  raw: Uint8Array;
}

const bad = (why: string) => new PqsignError('ERR_KEY_FORMAT', `malformed DER: ${why}`);

/** Read one TLV at `off`; definite, minimal lengths only (DER). */
export function readTlv(buf: Uint8Array, off = 0): Tlv & { end: number } {
  if (off + 2 > buf.length) throw bad('truncated header');
  const tag = buf[off]!;
  if ((tag & 0x1f) === 0x1f) throw bad('multi-byte tags are not used here');
  let len = buf[off + 1]!;
  let p = off + 2;
  if (len === 0x80) throw bad('indefinite length');
  if (len > 0x80) {
    const n = len & 0x7f;
    if (n > 4 || p + n > buf.length) throw bad('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    if (buf[p] === 0 || len < 0x80) throw bad('non-minimal length');
    p += n;
  }
  if (p + len > buf.length) throw bad('truncated value');
  return { tag, value: buf.subarray(p, p + len), raw: buf.subarray(off, p + len), end: p + len };
}

/** All TLVs of a constructed value, which must be consumed exactly. */
export function readChildren(value: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  let off = 0;
  while (off < value.length) {
    const t = readTlv(value, off);
    out.push(t);
    off = t.end;
  }
  return out;
}

/** Parse a whole buffer as exactly one TLV of the expected tag. */
export function readWhole(buf: Uint8Array, tag: number, what: string): Tlv {
  const t = readTlv(buf, 0);
  if (t.tag !== tag) throw bad(`${what}: expected tag 0x${tag.toString(16)}, got 0x${t.tag.toString(16)}`);
  if (t.end !== buf.length) throw bad(`${what}: ${buf.length - t.end} trailing bytes`);
  return t;
}

export function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t) throw bad(`${what} is missing`);
  if (t.tag !== tag) throw bad(`${what}: expected tag 0x${tag.toString(16)}, got 0x${t.tag.toString(16)}`);
  return t;
}

export function encodeLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const len = content.reduce((n, c) => n + c.length, 0);
  const l = encodeLength(len);
  const out = new Uint8Array(1 + l.length + len);
  out[0] = tag;
  out.set(l, 1);
  let off = 1 + l.length;
  for (const c of content) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** Non-negative INTEGER from a JS number (iteration counts, versions). */
export function derUint(n: number): Uint8Array {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  if (bytes.length === 0 || bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(TAG.INTEGER, Uint8Array.from(bytes));
}

export function readUint(t: Tlv, what: string): number {
  expectTag(t, TAG.INTEGER, what);
  const v = t.value;
  if (v.length === 0 || v.length > 6 || v[0]! & 0x80) throw bad(`${what}: unsupported integer`);
  return v.reduce((n, b) => n * 256 + b, 0);
}

/** Dotted OID → DER body. */
export function oidBody(dotted: string): Uint8Array {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const stack = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) stack.unshift((v & 0x7f) | 0x80);
    out.push(...stack);
  }
  return Uint8Array.from(out);
}

/** DER OID body → dotted. */
export function oidToString(body: Uint8Array): string {
  if (body.length === 0) throw bad('empty OID');
  const out = [Math.min(2, Math.floor(body[0]! / 40)), body[0]! - Math.min(2, Math.floor(body[0]! / 40)) * 40];
  let v = 0;
  for (const b of body.subarray(1)) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      out.push(v);
      v = 0;
    }
  }
  return out.join('.');
}

export const oid = (dotted: string) => tlv(TAG.OID, oidBody(dotted));
