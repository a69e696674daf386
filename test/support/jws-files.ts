// Reading compact JWS files in tests: base64url of text, bytes or JSON and back, the three segments, the header text.
import { readFileSync } from 'node:fs';

export const b64 = (s: string | Buffer | object) =>
  (Buffer.isBuffer(s) || typeof s === 'string' ? Buffer.from(s) : Buffer.from(JSON.stringify(s))).toString('base64url');
/** base64url-decoded text */
export const unb64 = (s: string) => Buffer.from(s, 'base64url').toString('utf8');
export const partsOf = (file: string) => readFileSync(file, 'latin1').split('.') as [string, string, string];
export const headerText = (file: string) => Buffer.from(partsOf(file)[0], 'base64url').toString('utf8');

/** Headers that break the "b64" and "crit" rules (RFC 7515 §4.1.11, RFC 7797 §3, §6): name, header, message. */
export const BAD_B64_HEADERS: readonly [string, object, RegExp][] = [
  ['crit-without-b64', { alg: 'ML-DSA-44', crit: ['b64'] }, /"crit" names "b64", which the header lacks/],
  ['b64-string', { alg: 'ML-DSA-44', b64: 'false', crit: ['b64'] }, /"b64" \(RFC 7797\) must be true or false/],
  ['b64-zero', { alg: 'ML-DSA-44', b64: 0, crit: ['b64'] }, /"b64" \(RFC 7797\) must be true or false/],
  ['b64-false-no-crit', { alg: 'ML-DSA-44', b64: false }, /"b64" \(RFC 7797\) must be listed in "crit" \(RFC 7797 §6\)/],
  ['b64-true-no-crit', { alg: 'ML-DSA-44', b64: true }, /must be listed in "crit"/],
  ['b64-not-in-crit', { alg: 'ML-DSA-44', b64: false, crit: ['exp'], exp: 1 }, /unknown critical header parameter "exp"/],
  ['crit-unknown', { alg: 'ML-DSA-44', b64: false, crit: ['b64', 'exp'], exp: 1 }, /unknown critical header parameter "exp"/],
  ['crit-twice', { alg: 'ML-DSA-44', b64: false, crit: ['b64', 'b64'] }, /"crit" lists a name twice/],
  ['crit-empty', { alg: 'ML-DSA-44', crit: [] }, /"crit" must be a non-empty array of strings/],
  ['crit-string', { alg: 'ML-DSA-44', b64: false, crit: 'b64' }, /"crit" must be a non-empty array of strings/],
];
