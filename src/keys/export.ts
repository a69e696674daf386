// Public-key encodings for `pqsign pubkey --format`. Adding one is one entry here.
import { encodePem } from '../asn1/pem.js';
import { toHex } from '../base/bytes.js';
import { cHeader } from './c-header.js';
import { encodePublicKey, type PublicKey } from './spki.js';
import { akpJwk } from './jwk.js';
import { encodeCoseKey } from './cose-key.js';

export interface EncodeOptions {
  /** `c`: the C identifier of the key array (src/keys/c-header.ts) */
  symbol?: string | undefined;
}

export type PublicKeyEncoder = (key: PublicKey, opts: EncodeOptions) => Uint8Array | string | Promise<Uint8Array | string>;

export const PUBLIC_KEY_ENCODERS: Record<string, PublicKeyEncoder> = {
  pem: (k) => encodePem('PUBLIC KEY', encodePublicKey(k)),
  der: (k) => encodePublicKey(k),
  raw: (k) => k.publicKey,
  hex: (k) => `${toHex(k.publicKey)}\n`,
  c: (k, o) => cHeader(k, o.symbol),
  jwk: (k) => `${JSON.stringify(akpJwk(k))}\n`,
  'cose-key': encodeCoseKey,
};

/** The encodings a composite key has (the draft defines SPKI and the raw form; JWK, COSE_Key and C headers are ML-DSA's). */
export const COMPOSITE_ENCODINGS = ['pem', 'der', 'raw', 'hex'];
