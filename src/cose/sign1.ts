// COSE_Sign1 (RFC 9052 §4.2) and its Sig_structure (§4.4), laid out so the payload streams:
//   COSE_Sign1    = #6.18([protected: bstr .cbor header_map, unprotected: {}, payload: bstr / nil, signature: bstr])
//   Sig_structure = ["Signature1", protected, external_aad: bstr, payload: bstr]
// Signing needs only the payload's length up front; verifying reads the framing from the head of the
// file, the signature from its end, and streams the payload range between them.
import { PqsignError, inFile } from '../base/errors.js';
import { statInput } from '../io/read.js';
import { readRange } from '../io/range.js';
import { concatBytes } from '../base/bytes.js';
import { CBOR_NULL, MAJOR, readHead, type Cbor } from '../cbor/cbor.js';

/** RFC 9052 §2: the CBOR tag of COSE_Sign1. */
export const TAG_COSE_SIGN1 = 18;
/** COSE tags of the other structures, to name them in errors (RFC 9052 §2). */
const OTHER_COSE_TAGS: Record<number, string> = {
  98: 'COSE_Sign',
  16: 'COSE_Encrypt0',
  96: 'COSE_Encrypt',
  17: 'COSE_Mac0',
  97: 'COSE_Mac',
};

/** Sig_structure bytes before the payload contents (the payload bstr head included). */
export function sigStructureHead(cbor: Cbor, protectedBytes: Uint8Array, externalAad: Uint8Array, payloadLength: number): Uint8Array {
  return concatBytes(
    cbor.head(MAJOR.ARRAY, 4),
    cbor.encode('Signature1'),
    cbor.encode(protectedBytes),
    cbor.encode(externalAad),
    cbor.head(MAJOR.BSTR, payloadLength),
  );
}

/**
 * The tagged COSE_Sign1 around a signature: `prefix ‖ payload ‖ suffix` when attached
 * (payloadLength given), `prefix` alone (payload nil) when detached. Unprotected header empty.
 */
export function sign1Layout(
  cbor: Cbor,
  protectedBytes: Uint8Array,
  payloadLength: number | null,
  signature: Uint8Array,
): { prefix: Uint8Array; suffix: Uint8Array } {
  const front = concatBytes(
    cbor.head(MAJOR.TAG, TAG_COSE_SIGN1),
    cbor.head(MAJOR.ARRAY, 4),
    cbor.encode(protectedBytes),
    cbor.encode(new Map()),
  );
  if (payloadLength === null)
    return { prefix: concatBytes(front, Uint8Array.of(CBOR_NULL), cbor.encode(signature)), suffix: new Uint8Array(0) };
  return { prefix: concatBytes(front, cbor.head(MAJOR.BSTR, payloadLength)), suffix: cbor.encode(signature) };
}

/** A COSE_Sign1 file, structure checked, payload located but not read. */
export interface Sign1File {
  size: number;
  tagged: boolean;
  /** the protected header exactly as serialized (it is signed as is) */
  protectedBytes: Uint8Array;
  protectedMap: unknown;
  unprotected: unknown;
  /** byte range of the payload contents in the file; null when detached (nil) */
  payload: { start: number; end: number } | null;
  signature: Uint8Array;
}

/** Headers must fit in this much of the file's beginning. */
const HEADER_WINDOW = 256 * 1024;
/** What may follow the payload: the signature bstr (the largest ML-DSA signature is 4627 bytes). */
const TRAILER_MAX = 16 * 1024;

const bad = (message: string) => new PqsignError('ERR_SIGNATURE_FORMAT', message);

export const readSign1 = (cbor: Cbor, path: string): Promise<Sign1File> => inFile(path, () => parse(cbor, path));

async function parse(cbor: Cbor, path: string): Promise<Sign1File> {
  const { size } = await statInput(path);
  if (size === 0) throw bad('is empty, not a COSE_Sign1');
  const win = await readRange(path, 0, Math.min(size, HEADER_WINDOW), HEADER_WINDOW);
  const truncated = () =>
    bad(win.length < size ? `COSE_Sign1 headers do not fit in the first ${HEADER_WINDOW / 1024} KiB` : 'COSE_Sign1 is truncated');
  const head = (at: number, what: string) => {
    const r = readHead(win, at, what);
    if (!r) throw truncated();
    return r;
  };

  let off = 0;
  let h = head(off, 'COSE_Sign1');
  const tagged = h.major === MAJOR.TAG;
  if (tagged) {
    if (h.value !== TAG_COSE_SIGN1) {
      const other = OTHER_COSE_TAGS[h.value];
      throw bad(`tag ${h.value}${other ? ` (${other})` : ''} is not COSE_Sign1 (tag 18)`);
    }
    off += h.size;
    h = head(off, 'COSE_Sign1 array');
  }
  if (h.major !== MAJOR.ARRAY || h.value !== 4)
    throw bad('COSE_Sign1 must be an array of 4 items [protected, unprotected, payload, signature]');
  off += h.size;

  h = head(off, 'protected header');
  if (h.major !== MAJOR.BSTR) throw bad('protected header is not a bstr-wrapped map');
  const pStart = off + h.size;
  const pEnd = pStart + h.value;
  if (pEnd > win.length) throw truncated();
  const protectedBytes = win.slice(pStart, pEnd);
  // §3: a zero-length bstr stands for the empty map
  const protectedMap = protectedBytes.length ? cbor.decode(protectedBytes, 'protected header') : new Map();
  off = pEnd;

  if (off >= win.length) throw truncated();
  const unprot = cbor.decodeMapAt(win.subarray(off), 'unprotected header');
  off += unprot.length;

  h = head(off, 'payload');
  let payload: Sign1File['payload'];
  if (h.major === MAJOR.SIMPLE && h.value === 22) {
    payload = null;
    off += h.size;
  } else if (h.major === MAJOR.BSTR) {
    payload = { start: off + h.size, end: off + h.size + h.value };
    if (payload.end > size) throw bad('COSE_Sign1 is truncated (the payload is shorter than its declared length)');
    off = payload.end;
  } else {
    throw bad('payload must be a bstr or nil');
  }

  if (off >= size) throw bad('COSE_Sign1 is truncated (no signature)');
  if (size - off > TRAILER_MAX)
    throw bad(`${size - off} bytes follow the payload; a COSE_Sign1 signature is at most ${TRAILER_MAX} (trailing bytes?)`);
  const signature = cbor.decode(await readRange(path, off, size, TRAILER_MAX), 'signature');
  if (!(signature instanceof Uint8Array)) throw bad('signature must be a bstr');
  return { size, tagged, protectedBytes, protectedMap, unprotected: unprot.map, payload, signature };
}
