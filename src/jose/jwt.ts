// JSON Web Tokens (RFC 7519) signed with ML-DSA (RFC 9964) through any Signer: the token is small,
// so its signing input is hashed to μ in memory and only μ goes to the signer (or, for a KMS key whose
// policy allows only RAW, the signing input itself).
import { b64url, fromB64url, utf8 } from '../base/bytes.js';
import { PqsignError, isPqsignError } from '../base/errors.js';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../base/json.js';
import type { PublicKey } from '../keys/spki.js';
import { verifyMu } from '../mldsa/mldsa.js';
import { computeMu } from '../mldsa/mu.js';
import { signMessageChecked, signMuChecked, type Signer } from '../mldsa/signer.js';
import { checkJoseHeader, decodeJsonSegment } from './header.js';
import { jwkThumbprint } from '../keys/jwk.js';

/** Allowance for clocks that disagree, applied to exp, nbf and iat (RFC 7519 §4.1.4 "small leeway"). */
export const DEFAULT_CLOCK_SKEW_SECONDS = 60;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** "90", "90s", "15m", "1h", "7d", "2w" → seconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+)\s*([smhdw]?)$/.exec(s.trim());
  const seconds = m ? Number(m[1]) * UNITS[m[2] || 's']! : NaN;
  if (!(seconds > 0) || !Number.isSafeInteger(seconds)) {
    throw new PqsignError('ERR_USAGE', `duration "${s}" is not a positive number of s, m, h, d or w (e.g. 15m, 1h, 7d)`);
  }
  return seconds;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface JwtSignOptions {
  /** extra header members; alg and kid are always pqsign's */
  header?: Record<string, unknown> | undefined;
  /** kid instead of the key's JWK thumbprint */
  kid?: string | undefined;
  /** seconds from now until exp (replaces an exp in the claims) */
  expiresIn?: number | undefined;
  now?: number | undefined;
  /** 'raw': hand the signing input itself to the signer (KMS RAW, ≤ 4096 bytes) instead of μ */
  messageType?: 'mu' | 'raw' | undefined;
}

/** Header reserved for pqsign: alg/kid are forced; crit and b64 would make a token pqsign cannot verify. */
const REFUSED_HEADER_MEMBERS = ['crit', 'b64'];

export async function signJwt(signer: Signer, claims: unknown, opts: JwtSignOptions = {}): Promise<string> {
  if (!isObject(claims)) throw new PqsignError('ERR_USAGE', 'JWT claims must be a JSON object');
  const extra = opts.header ?? {};
  if (!isObject(extra)) throw new PqsignError('ERR_USAGE', 'the JWT header file must hold a JSON object');
  // what pqsign signs it must be able to verify (and to print): the same nesting bound
  if (jsonTooDeep(claims) || jsonTooDeep(extra))
    throw new PqsignError('ERR_USAGE', `JWT claims and header may nest at most ${MAX_JSON_DEPTH} levels`);
  const refused = REFUSED_HEADER_MEMBERS.find((k) => k in extra);
  if (refused) throw new PqsignError('ERR_USAGE', `the JWT header may not set "${refused}"`);
  const { alg: _alg, kid: _kid, ...rest } = extra;
  const key = { params: signer.params, publicKey: signer.publicKey };
  const header = { alg: signer.params.joseAlg, kid: opts.kid ?? jwkThumbprint(key), typ: 'JWT', ...rest };
  const now = opts.now ?? nowSeconds();
  const body: Record<string, unknown> = { ...claims };
  if (body.iat === undefined) body.iat = now;
  if (opts.expiresIn !== undefined) body.exp = now + opts.expiresIn;
  const signingInput = `${b64url(utf8(JSON.stringify(header)))}.${b64url(utf8(JSON.stringify(body)))}`;
  const message = utf8(signingInput);
  const signature =
    opts.messageType === 'raw'
      ? await signMessageChecked(signer, message)
      : await signMuChecked(signer, computeMu(signer.params, signer.publicKey, message));
  return `${signingInput}.${b64url(signature)}`;
}

export interface JwtVerifyOptions {
  /** required "aud" member (string, or one of an array) */
  audience?: string | undefined;
  /** required "iss" */
  issuer?: string | undefined;
  clockSkew?: number | undefined;
  now?: number | undefined;
}

export interface VerifiedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

const claimsError = (message: string) => new PqsignError('ERR_CLAIMS', message);
const iso = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');

/** Structure, then signature, then claims (RFC 7519 §7.2). */
export function verifyJwt(token: string, key: PublicKey, opts: JwtVerifyOptions = {}): VerifiedJwt {
  const parts = token.split('.');
  if (parts.length !== 3) throw new PqsignError('ERR_SIGNATURE_FORMAT', `a JWT has 3 dot-separated parts, this has ${parts.length}`);
  const [h, p, s] = parts as [string, string, string];
  const { header, params, b64 } = checkJoseHeader(h);
  // RFC 7797 §7: JWTs MUST NOT use "b64": false (the claims set is always base64url JSON)
  if (!b64) throw new PqsignError('ERR_SIGNATURE_FORMAT', 'a JWT may not use an unencoded payload ("b64": false, RFC 7797 §7)');
  if (params !== key.params)
    throw new PqsignError('ERR_UNTRUSTED', `token is signed with ${params.name} but the trusted key is ${key.params.name}`, {
      detail: 'pinned-key',
    });
  const claims = decodeJsonSegment(p, 'JWT claims set');
  const signature = fromB64url(s, 'JWT signature');
  if (signature.length !== params.signatureBytes) {
    throw new PqsignError(
      'ERR_SIGNATURE_FORMAT',
      `signature is ${signature.length} bytes; an ${params.name} signature is ${params.signatureBytes}`,
    );
  }
  if (!verifyMu(params, key.publicKey, computeMu(params, key.publicKey, utf8(`${h}.${p}`)), signature)) {
    throw new PqsignError('ERR_SIGNATURE_INVALID', 'JWT signature does not verify');
  }
  checkClaims(claims, opts);
  return { header, claims };
}

/** Verify with the first of several trusted keys under which the signature verifies (a key set, e.g. a rotation). */
export function verifyJwtWithAny(token: string, keys: readonly PublicKey[], opts: JwtVerifyOptions = {}): VerifiedJwt {
  let first: unknown;
  for (const key of keys) {
    try {
      return verifyJwt(token, key, opts);
    } catch (e) {
      // a claims failure is final: the token verified, what it says is wrong
      if (!isPqsignError(e) || (e.code !== 'ERR_SIGNATURE_INVALID' && e.code !== 'ERR_UNTRUSTED')) throw e;
      first ??= e;
    }
  }
  throw first;
}

function numericDate(claims: Record<string, unknown>, name: string): number | undefined {
  const v = claims[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw claimsError(`"${name}" is not a NumericDate (RFC 7519 §2)`);
  return v;
}

function checkClaims(claims: Record<string, unknown>, opts: JwtVerifyOptions): void {
  const now = opts.now ?? nowSeconds();
  const skew = opts.clockSkew ?? DEFAULT_CLOCK_SKEW_SECONDS;
  const exp = numericDate(claims, 'exp');
  const nbf = numericDate(claims, 'nbf');
  const iat = numericDate(claims, 'iat');
  // §4.1.4: the current time MUST be before exp; §4.1.5: not before nbf
  if (exp !== undefined && now - skew >= exp) throw claimsError(`token expired at ${iso(exp)} (now ${iso(now)}, clock skew ${skew} s)`);
  if (nbf !== undefined && now + skew < nbf)
    throw claimsError(`token is not valid before ${iso(nbf)} (now ${iso(now)}, clock skew ${skew} s)`);
  if (iat !== undefined && iat > now + skew)
    throw claimsError(`token is issued in the future, at ${iso(iat)} (now ${iso(now)}, clock skew ${skew} s)`);
  if (opts.issuer !== undefined && claims.iss !== opts.issuer) {
    throw claimsError(`issuer ${JSON.stringify(claims.iss ?? null)} is not the expected ${JSON.stringify(opts.issuer)}`);
  }
  if (opts.audience !== undefined) {
    // §4.1.3: aud is a string or an array of strings
    const aud = claims.aud;
    const list = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
    if (!list.includes(opts.audience))
      throw claimsError(`audience ${JSON.stringify(aud ?? null)} does not include ${JSON.stringify(opts.audience)}`);
  }
}
