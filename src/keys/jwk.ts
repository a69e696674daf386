// The AKP JSON Web Key of an ML-DSA public key (RFC 9964 §3) and its JWK Thumbprint (RFC 7638 §3
// with the AKP required members of RFC 9964 §6), the default JOSE kid; and reading one back.
import { createHash } from 'node:crypto';
import { b64url, utf8 } from '../base/bytes.js';
import { PqsignError } from '../base/errors.js';
import type { PublicKey } from './spki.js';
import { paramByJoseAlg, paramByPublicKeyLength, SEED_BYTES, type ParamSet } from '../mldsa/params.js';

export interface AkpJwk {
  kty: 'AKP';
  alg: string;
  pub: string;
  kid: string;
}

/**
 * RFC 7638 §3.2/§3.3: the required members only, in lexicographic order ("alg", "kty", "pub"), no
 * whitespace; SHA-256; base64url. JSON.stringify writes exactly that (base64url needs no escaping).
 */
export function jwkThumbprint(k: PublicKey): string {
  const canonical = JSON.stringify({ alg: k.params.joseAlg, kty: 'AKP', pub: b64url(k.publicKey) });
  return b64url(new Uint8Array(createHash('sha256').update(utf8(canonical)).digest()));
}

/** The public AKP JWK, with its thumbprint as kid. */
export const akpJwk = (k: PublicKey): AkpJwk => ({ kty: 'AKP', alg: k.params.joseAlg, pub: b64url(k.publicKey), kid: jwkThumbprint(k) });

/** An ML-DSA key read from a JWK or COSE_Key: the public key, and the seed when the key is private. */
export interface AkpKeyMaterial {
  format: 'jwk' | 'cose-key';
  params: ParamSet;
  publicKey: Uint8Array;
  /** RFC 9964 §3 "priv": the 32-byte seed ξ */
  seed: Uint8Array | undefined;
  /** the key's kid as text (JWK) or bytes (COSE_Key), when it has one */
  kid: string | Uint8Array | undefined;
}

const bad = (why: string) => new PqsignError('ERR_KEY_FORMAT', why);

function b64urlMember(jwk: Record<string, unknown>, name: string, what: string): Uint8Array {
  const v = jwk[name];
  // RFC 7515 §2: base64url without padding; one text per byte string
  if (typeof v !== 'string' || !/^[A-Za-z0-9_-]*$/.test(v) || v.length % 4 === 1) throw bad(`${what} "${name}" is not base64url`);
  const bytes = new Uint8Array(Buffer.from(v, 'base64url'));
  if (b64url(bytes) !== v) throw bad(`${what} "${name}" is not canonical base64url`);
  return bytes;
}

/**
 * RFC 9964 §3/§6 AKP JWK → key material. "alg" names the parameter set; a JWK without it (what jose
 * exportJWK wrote before it kept "alg" on AKP keys) is taken by its key length, which is unambiguous.
 * "use" and "key_ops", when present, must allow signatures; other members are ignored (RFC 7517 §4).
 */
export function readAkpJwk(json: unknown, what = 'JWK'): AkpKeyMaterial {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad(`${what} is not a JSON object`);
  const jwk = json as Record<string, unknown>;
  if (jwk.kty !== 'AKP') throw bad(`${what} has kty ${JSON.stringify(jwk.kty)}; ML-DSA keys are kty "AKP" (RFC 9964)`);
  if (jwk.use !== undefined && jwk.use !== 'sig') throw bad(`${what} has use ${JSON.stringify(jwk.use)}, not "sig"`);
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.some((o) => o === 'verify' || o === 'sign'))) {
    throw bad(`${what} key_ops ${JSON.stringify(jwk.key_ops)} allow neither "verify" nor "sign"`);
  }
  if (jwk.kid !== undefined && typeof jwk.kid !== 'string') throw bad(`${what} "kid" is not a string`);
  const publicKey = b64urlMember(jwk, 'pub', what);
  let params: ParamSet | undefined;
  if (jwk.alg === undefined) {
    params = paramByPublicKeyLength(publicKey.length);
    if (!params) throw bad(`${what} has no "alg" and its ${publicKey.length}-byte "pub" is no ML-DSA public key`);
  } else {
    params = typeof jwk.alg === 'string' ? paramByJoseAlg(jwk.alg) : undefined;
    if (!params) throw new PqsignError('ERR_ALGORITHM', `${what} alg ${JSON.stringify(jwk.alg)} is not ML-DSA-44, ML-DSA-65 or ML-DSA-87`);
    if (publicKey.length !== params.publicKeyBytes)
      throw bad(`${what} "pub" is ${publicKey.length} bytes; ${params.name} public keys are ${params.publicKeyBytes}`);
  }
  let seed: Uint8Array | undefined;
  if (jwk.priv !== undefined) {
    seed = b64urlMember(jwk, 'priv', what);
    if (seed.length !== SEED_BYTES)
      throw bad(`${what} "priv" is ${seed.length} bytes; RFC 9964 private keys are the ${SEED_BYTES}-byte seed`);
  }
  return { format: 'jwk', params, publicKey, seed, kid: jwk.kid as string | undefined };
}
