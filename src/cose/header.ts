// COSE_Sign1 header parameters (RFC 9052 §3): what pqsign writes in the protected bucket and the
// rules it applies to what it reads.
import { PqsignError, opt } from '../base/errors.js';
import type { Cbor } from '../cbor/cbor.js';

/** RFC 9052 §3.1 common header parameter labels. */
export const HEADER = { ALG: 1, CRIT: 2, CONTENT_TYPE: 3, KID: 4 } as const;

export interface Sign1Headers {
  alg: number;
  kid?: Uint8Array | undefined;
  /** uint CoAP Content-Format or a media-type string */
  contentType?: number | string | undefined;
  /** the same parameters when found in the unprotected bucket: unauthenticated, reported apart */
  unprotectedKid?: Uint8Array | undefined;
  unprotectedContentType?: number | string | undefined;
}

/** The serialized protected header: {1: alg, 3: content type?, 4: kid}, keys in deterministic order. */
export function encodeProtected(cbor: Cbor, h: Sign1Headers): Uint8Array {
  const m = new Map<number, unknown>([[HEADER.ALG, h.alg]]);
  if (h.contentType !== undefined) m.set(HEADER.CONTENT_TYPE, h.contentType);
  if (h.kid !== undefined) m.set(HEADER.KID, h.kid);
  return cbor.encodeDeterministic(m);
}

/** `--content-type`: digits are a CoAP Content-Format number (RFC 7252 §12.3), anything else a media type. */
export function parseContentType(s: string): number | string {
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n > 0xffff)
      throw new PqsignError('ERR_USAGE', `${opt('contentType')} ${s}: a CoAP Content-Format is 0..65535`, { option: 'contentType' });
    return n;
  }
  if (!s) throw new PqsignError('ERR_USAGE', `${opt('contentType')} is empty`, { option: 'contentType' });
  return s;
}

/** Header parameters pqsign processes; a `crit` entry naming anything else is refused (RFC 9052 §3.1). */
const UNDERSTOOD = new Set<unknown>([HEADER.ALG, HEADER.CONTENT_TYPE, HEADER.KID]);

const bad = (message: string) => new PqsignError('ERR_SIGNATURE_FORMAT', message);
const isLabel = (k: unknown) => typeof k === 'string' || (typeof k === 'number' && Number.isInteger(k));

/** Validate both buckets and pull out alg, kid and content type. */
export function checkHeaders(prot: unknown, unprot: unknown): Sign1Headers {
  if (!(prot instanceof Map)) throw bad('protected header is not a bstr-wrapped map');
  if (!(unprot instanceof Map)) throw bad('unprotected header is not a map');
  for (const [bucket, m] of [
    ['protected', prot],
    ['unprotected', unprot],
  ] as const) {
    for (const k of m.keys()) if (!isLabel(k)) throw bad(`${bucket} header has a label that is neither an integer nor a text string`);
  }
  // §3: "the same label MUST NOT occur in both the protected and unprotected header parameters"
  for (const k of unprot.keys())
    if (prot.has(k)) throw bad(`header parameter ${String(k)} is in both the protected and unprotected buckets`);

  if (unprot.has(HEADER.CRIT)) throw bad('crit (2) must be in the protected header');
  const crit = prot.get(HEADER.CRIT);
  if (crit !== undefined) {
    if (!Array.isArray(crit) || crit.length === 0 || !crit.every(isLabel)) throw bad('crit (2) must be a non-empty array of labels');
    for (const label of crit) {
      if (!prot.has(label)) throw bad(`crit (2) names header parameter ${String(label)}, which the protected header lacks`);
      if (!UNDERSTOOD.has(label)) throw bad(`unknown critical header parameter ${String(label)}`);
    }
  }

  // §3.1: alg must be authenticated where that is possible, as it is in COSE_Sign1
  if (unprot.has(HEADER.ALG)) throw bad('alg (1) must be in the protected header');
  const alg = prot.get(HEADER.ALG);
  if (alg === undefined) throw bad('protected header has no alg (1)');
  if (typeof alg !== 'number' || !Number.isInteger(alg)) {
    throw new PqsignError('ERR_ALGORITHM', `alg ${JSON.stringify(alg)} is not an ML-DSA COSE algorithm (-48, -49, -50)`);
  }

  const kid = (m: Map<unknown, unknown>) => {
    const v = m.get(HEADER.KID);
    if (v !== undefined && !(v instanceof Uint8Array)) throw bad('kid (4) must be a bstr');
    return v;
  };
  const ct = (m: Map<unknown, unknown>) => {
    const v = m.get(HEADER.CONTENT_TYPE);
    if (v !== undefined && typeof v !== 'string' && !(typeof v === 'number' && Number.isInteger(v) && v >= 0)) {
      throw bad('content type (3) must be a uint or a text string');
    }
    return v;
  };
  return { alg, kid: kid(prot), contentType: ct(prot), unprotectedKid: kid(unprot), unprotectedContentType: ct(unprot) };
}
