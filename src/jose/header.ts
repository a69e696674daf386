// The JOSE header of a compact JWS or JWT (RFC 7515 §4): decoded and checked before any crypto.
import { fromB64url } from '../base/bytes.js';
import { PqsignError } from '../base/errors.js';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../base/json.js';
import { paramByJoseAlg, type ParamSet } from '../mldsa/params.js';

export interface CheckedHeader {
  header: Record<string, unknown>;
  params: ParamSet;
  kid: string | undefined;
  /** false: RFC 7797 unencoded payload, signed as its bytes rather than as base64url text */
  b64: boolean;
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
  if (jsonTooDeep(value)) throw bad(`${what} is nested more than ${MAX_JSON_DEPTH} levels deep`);
  return value as Record<string, unknown>;
}

/**
 * Longest encoded JOSE header accepted. pqsign's own are ~150 characters; the bound also lets the raw-sign
 * guard (formats/structured-input.ts) see the '.' of any header a verifier would accept.
 */
export const MAX_HEADER_CHARS = 16 * 1024;

export function checkJoseHeader(segment: string): CheckedHeader {
  if (segment.length > MAX_HEADER_CHARS) throw bad(`JOSE header is ${segment.length} characters; at most ${MAX_HEADER_CHARS} are accepted`);
  const header = decodeJsonSegment(segment, 'JOSE header');
  const alg = header.alg;
  if (typeof alg !== 'string') throw bad('JOSE header has no "alg"');
  const params = paramByJoseAlg(alg);
  if (!params) throw new PqsignError('ERR_ALGORITHM', `alg "${alg}" is not an ML-DSA JOSE algorithm (ML-DSA-44, ML-DSA-65, ML-DSA-87)`);
  const b64 = checkExtensions(header);
  const kid = header.kid;
  if (kid !== undefined && typeof kid !== 'string') throw bad('"kid" must be a string');
  return { header, params, kid, b64 };
}

/** The one extension pqsign understands: RFC 7797's "b64" (unencoded payload). */
const UNDERSTOOD_CRITICAL = new Set(['b64']);

/**
 * "crit" (RFC 7515 §4.1.11): every listed extension must be understood, here only "b64". "b64" (RFC 7797
 * §3) is a boolean and, because it changes the signing input, MUST be listed in "crit" (§6) so that
 * verifiers without RFC 7797 reject the JWS instead of misreading it. Returns the b64 value (default true).
 */
function checkExtensions(header: Record<string, unknown>): boolean {
  const crit = header.crit === undefined ? [] : header.crit;
  if (!Array.isArray(crit) || (header.crit !== undefined && crit.length === 0) || !crit.every((c) => typeof c === 'string')) {
    throw bad('"crit" must be a non-empty array of strings');
  }
  const missing = crit.find((c) => !(c in header));
  if (missing !== undefined) throw bad(`"crit" names "${missing}", which the header lacks`);
  const unknown = crit.find((c) => !UNDERSTOOD_CRITICAL.has(c));
  if (unknown !== undefined) throw bad(`unknown critical header parameter "${unknown}"`);
  if (new Set(crit).size !== crit.length) throw bad('"crit" lists a name twice');
  if (!('b64' in header)) return true;
  if (typeof header.b64 !== 'boolean') throw bad('"b64" (RFC 7797) must be true or false');
  if (!crit.includes('b64')) throw bad('"b64" (RFC 7797) must be listed in "crit" (RFC 7797 §6)');
  return header.b64;
}
