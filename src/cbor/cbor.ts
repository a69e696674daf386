// CBOR for COSE. cbor2 (hildjj's maintained RFC 8949 library, successor of node-cbor) encodes and
// strictly decodes every complete item: header maps, COSE_Key, the signature. It decodes whole
// buffers only, so the two things it cannot do for a payload that must never be in memory are done
// here: writing item heads (through cbor2's own writeInt) and reading the few heads that frame the
// payload (tag, array, payload bstr). cbor2 is imported on first use: start-up of other commands
// must not pay for it.
import { PqsignError } from '../base/errors.js';

/** RFC 8949 §3.1 major types. */
export const MAJOR = { UINT: 0, NINT: 1, BSTR: 2, TSTR: 3, ARRAY: 4, MAP: 5, TAG: 6, SIMPLE: 7 } as const;
/** RFC 8949 §3.3: simple value 22, `nil` in CDDL. */
export const CBOR_NULL = 0xf6;

/**
 * Decoding rules for everything a verifier reads: definite lengths only, preferred (shortest)
 * heads (the length rules of RFC 8949 §4.2.1 deterministic encoding), no duplicate map keys, no
 * interpretation of tags inside headers, bounded nesting.
 */
const STRICT = {
  rejectStreaming: true,
  requirePreferred: true,
  rejectDuplicateKeys: true,
  preferMap: true,
  ignoreGlobalTags: true,
  maxDepth: 16,
} as const;

/**
 * Data items in one decoded item (a header map, a COSE_Key), nested ones included: far beyond any real
 * header. Counted from the heads alone before cbor2 builds anything, so that a 256 KiB unprotected
 * header of 50,000 entries is refused instead of decoded.
 */
export const MAX_CBOR_ITEMS = 1024;

export interface Cbor {
  encode(value: unknown): Uint8Array;
  /** RFC 8949 §4.2.1 core deterministic encoding (sorted map keys): COSE_Key and its thumbprint */
  encodeDeterministic(value: unknown): Uint8Array;
  /** the head of an item of major type `major` with argument `n` (length, count or tag number) */
  head(major: number, n: number): Uint8Array;
  /** one complete item, strictly; `what` names it in errors */
  decode(bytes: Uint8Array, what: string): unknown;
  /** the map at the start of `bytes` (more items may follow), strictly, and its encoded length */
  decodeMapAt(bytes: Uint8Array, what: string): { map: Map<unknown, unknown>; length: number };
}

let loaded: Promise<Cbor> | undefined;

export function loadCbor(): Promise<Cbor> {
  loaded ??= (async () => {
    const [cbor, encoder, writer] = await Promise.all([import('cbor2'), import('cbor2/encoder'), import('cbor2/writer')]);
    // A Buffer (what a signer or SDK may hand back) is bytes, a bstr, not a tagged typed array
    const types = new cbor.TypeEncoderMap();
    types.registerEncoder(Buffer, (b) => [NaN, new Uint8Array(b.buffer, b.byteOffset, b.byteLength)]);
    return {
      encode: (value) => cbor.encode(value, { types }),
      encodeDeterministic: (value) => cbor.encode(value, { types, cde: true }),
      head(major, n) {
        const w = new writer.Writer();
        encoder.writeInt(n, w, major);
        return w.read();
      },
      decode(bytes, what) {
        checkItemCount(bytes, what);
        try {
          return cbor.decode(bytes, STRICT);
        } catch (e) {
          throw malformed(what, e);
        }
      },
      decodeMapAt(bytes, what) {
        checkItemCount(bytes, what);
        let map: unknown;
        try {
          // the sequence decoder is lazy: it stops after the first item, before the payload
          map = cbor.decodeSequence(bytes, { ...STRICT, saveOriginal: true }).next().value;
        } catch (e) {
          throw malformed(what, e);
        }
        if (!(map instanceof Map)) throw new PqsignError('ERR_SIGNATURE_FORMAT', `${what} is not a map`);
        return { map, length: cbor.getEncoded(map)!.length };
      },
    } satisfies Cbor;
  })();
  return loaded;
}

/** cbor2's messages, said in terms a user can act on. */
function malformed(what: string, e: unknown): PqsignError {
  const msg = e instanceof Error ? e.message : String(e);
  const why = /Streaming not supported/.test(msg)
    ? 'uses an indefinite-length encoding (only definite lengths are allowed)'
    : /Unexpectedly long/.test(msg)
      ? 'uses a non-preferred (overlong) length or integer encoding'
      : /Extra data/.test(msg)
        ? 'has trailing bytes after it'
        : /Unexpected end|Insufficient data|Offset is outside/i.test(msg)
          ? 'is truncated'
          : /Duplicate key/.test(msg)
            ? `has a duplicate map key (${msg})`
            : `is not valid CBOR (${msg})`;
  return new PqsignError('ERR_SIGNATURE_FORMAT', `${what} ${why}`);
}

/** A CBOR item head read from a buffer (RFC 8949 §3). */
export interface Head {
  major: number;
  /** the argument: value, length, count or tag number; for major 7 the simple value */
  value: number;
  /** bytes the head itself takes */
  size: number;
}

/**
 * Read the head at `off` strictly: definite, preferred-length argument (content detection, which
 * must recognise overlong heads to report them, relaxes the latter). Returns undefined when the
 * buffer ends inside the head. Used only for the framing around a streamed payload.
 */
export function readHead(buf: Uint8Array, off: number, what: string, opts: { preferred: boolean } = { preferred: true }): Head | undefined {
  if (off >= buf.length) return undefined;
  const ib = buf[off]!;
  const major = ib >> 5;
  const info = ib & 31;
  if (info < 24) return { major, value: info, size: 1 };
  if (info === 31)
    throw new PqsignError('ERR_SIGNATURE_FORMAT', `${what} uses an indefinite-length encoding (only definite lengths are allowed)`);
  if (info > 27) throw new PqsignError('ERR_SIGNATURE_FORMAT', `${what} is not valid CBOR (reserved additional information ${info})`);
  const n = 1 << (info - 24);
  if (off + 1 + n > buf.length) return undefined;
  let value = 0;
  for (let i = 1; i <= n; i++) value = value * 256 + buf[off + i]!;
  if (!Number.isSafeInteger(value)) throw new PqsignError('ERR_SIGNATURE_FORMAT', `${what} is too large`);
  // §4.2.1: the shortest form; major 7 with info 24..27 are simple values/floats, never lengths here
  const min = info === 24 ? 24 : 2 ** (8 * (n / 2));
  if (opts.preferred && major !== MAJOR.SIMPLE && value < min) {
    throw new PqsignError('ERR_SIGNATURE_FORMAT', `${what} uses a non-preferred (overlong) length or integer encoding`);
  }
  return { major, value, size: 1 + n };
}

/**
 * Walk the item at the start of `bytes` by its heads, without building values, and refuse one of more
 * than MAX_CBOR_ITEMS items. Truncation and malformed heads are left for the decoder to report.
 */
function checkItemCount(bytes: Uint8Array, what: string): void {
  let off = 0;
  let pending = 1; // items still to visit: declared counts are added, so a huge claim costs nothing
  for (let items = 1; pending > 0; items++) {
    let h: Head | undefined;
    try {
      h = readHead(bytes, off, what, { preferred: false });
    } catch {
      return;
    }
    if (!h) return;
    if (items > MAX_CBOR_ITEMS) throw new PqsignError('ERR_SIGNATURE_FORMAT', `${what} has more than ${MAX_CBOR_ITEMS} CBOR data items`);
    pending += h.major === MAJOR.ARRAY ? h.value : h.major === MAJOR.MAP ? 2 * h.value : h.major === MAJOR.TAG ? 1 : 0;
    pending--;
    off += h.size + (h.major === MAJOR.BSTR || h.major === MAJOR.TSTR ? h.value : 0);
  }
}
