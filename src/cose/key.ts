// The AKP COSE_Key of an ML-DSA public key (RFC 9964 §3, labels from §8.1) and its COSE Key
// Thumbprint (RFC 9679 §3 with the AKP required parameters of RFC 9964 §6), the default COSE kid.
import { createHash } from 'node:crypto';
import type { PublicKey } from '../keys/spki.js';
import { loadCbor } from './cbor.js';

/** COSE_Key labels: RFC 9052 §7.1 (kty, kid, alg) and RFC 9964 §8.1.3 (AKP pub). */
export const COSE_KEY = { KTY: 1, KID: 2, ALG: 3, PUB: -1 } as const;
/** RFC 9964 §8.1.2: kty AKP. */
export const KTY_AKP = 7;

/** The required parameters of an AKP key: kty, alg, pub (RFC 9964 §6). */
const requiredParams = (k: PublicKey) =>
  new Map<number, unknown>([[COSE_KEY.KTY, KTY_AKP], [COSE_KEY.ALG, k.params.coseAlg], [COSE_KEY.PUB, k.publicKey]]);

/** RFC 9679 §3: SHA-256 over the deterministic encoding (RFC 8949 §4.2.1) of the required parameters. */
export async function coseKeyThumbprint(k: PublicKey): Promise<Uint8Array> {
  const cbor = await loadCbor();
  return new Uint8Array(createHash('sha256').update(cbor.encodeDeterministic(requiredParams(k))).digest());
}

/** The public AKP COSE_Key with its thumbprint as kid, deterministically encoded. */
export async function encodeCoseKey(k: PublicKey): Promise<Uint8Array> {
  const cbor = await loadCbor();
  const key = requiredParams(k).set(COSE_KEY.KID, await coseKeyThumbprint(k));
  return cbor.encodeDeterministic(key);
}
