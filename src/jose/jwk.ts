// The AKP JSON Web Key of an ML-DSA public key (RFC 9964 §3) and its JWK Thumbprint (RFC 7638 §3
// with the AKP required members of RFC 9964 §6), the default JOSE kid.
import { createHash } from 'node:crypto';
import { b64url, utf8 } from '../bytes.js';
import type { PublicKey } from '../keys/spki.js';

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
