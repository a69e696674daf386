// The JOSE header of a compact JWS or JWT (RFC 7515 §4): decoded and checked before any crypto.
import { fromB64url } from '../bytes.js';
import { PqsignError } from '../errors.js';
import { paramByJoseAlg, type ParamSet } from '../params.js';

export interface CheckedHeader {
  header: Record<string, unknown>;
  params: ParamSet;
  kid: string | undefined;
}

const bad = (message: string) => new PqsignError('ERR_SIGNATURE_FORMAT', message);

/** Decode a base64url JSON object (a JOSE header or JWT claims set). */
export function decodeJsonSegment(segment: string, what: string): Record<string, unknown> {
  const bytes = fromB64url(segment, what);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw bad(`${what} is not UTF-8 JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

export function checkJoseHeader(segment: string): CheckedHeader {
  const header = decodeJsonSegment(segment, 'JOSE header');
  const alg = header.alg;
  if (typeof alg !== 'string') throw bad('JOSE header has no "alg"');
  const params = paramByJoseAlg(alg);
  if (!params) throw new PqsignError('ERR_ALGORITHM', `alg "${alg}" is not an ML-DSA JOSE algorithm (ML-DSA-44, ML-DSA-65, ML-DSA-87)`);
  // RFC 7515 §4.1.11: extensions listed in crit must be understood; pqsign implements none
  if (header.crit !== undefined) {
    const crit = header.crit;
    if (!Array.isArray(crit) || crit.length === 0 || !crit.every((c) => typeof c === 'string')) throw bad('"crit" must be a non-empty array of strings');
    const missing = crit.find((c) => !(c in header));
    if (missing !== undefined) throw bad(`"crit" names "${missing}", which the header lacks`);
    throw bad(`unknown critical header parameter "${crit[0]}"`);
  }
  // RFC 7797 unencoded payloads change the signing input; they need crit, refused above, but say so plainly
  if (header.b64 === false) throw bad('unencoded payloads (RFC 7797 "b64": false) are not supported');
  const kid = header.kid;
  if (kid !== undefined && typeof kid !== 'string') throw bad('"kid" must be a string');
  return { header, params, kid };
}
