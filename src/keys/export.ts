// Public-key encodings for `pqsign pubkey --format`. Adding one is one entry here.
import { encodePem } from '../asn1/pem.js';
import { toHex } from '../bytes.js';
import { cHeader } from './c-header.js';
import { encodeSpki, type PublicKey } from './spki.js';
import { akpJwk } from '../jose/jwk.js';
import { encodeCoseKey } from '../cose/key.js';

export interface EncodeOptions {
  /** `c`: the C identifier of the key array (src/keys/c-header.ts) */
  symbol?: string | undefined;
}

export type PublicKeyEncoder = (key: PublicKey, opts: EncodeOptions) => Uint8Array | string | Promise<Uint8Array | string>;

export const PUBLIC_KEY_ENCODERS: Record<string, PublicKeyEncoder> = {
  pem: (k) => encodePem('PUBLIC KEY', encodeSpki(k.params, k.publicKey)),
  der: (k) => encodeSpki(k.params, k.publicKey),
  raw: (k) => k.publicKey,
  hex: (k) => `${toHex(k.publicKey)}\n`,
  c: (k, o) => cHeader(k, o.symbol),
  jwk: (k) => `${JSON.stringify(akpJwk(k))}\n`,
  'cose-key': encodeCoseKey,
};
