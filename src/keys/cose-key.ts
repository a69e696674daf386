// The AKP COSE_Key of an ML-DSA public key (RFC 9964 §3, labels from §8.1) and its COSE Key
// Thumbprint (RFC 9679 §3 with the AKP required parameters of RFC 9964 §6), the default COSE kid;
// and reading one back.
import { createHash } from 'node:crypto';
import { PqsignError } from '../base/errors.js';
import type { AkpKeyMaterial } from './jwk.js';
import type { PublicKey } from './spki.js';
import { paramByCoseAlg, SEED_BYTES } from '../mldsa/params.js';
import { loadCbor } from '../cbor/cbor.js';

/** COSE_Key labels: RFC 9052 §7.1 (kty, kid, alg, key_ops) and RFC 9964 §8.1.3 (AKP pub, priv). */
export const COSE_KEY = { KTY: 1, KID: 2, ALG: 3, KEY_OPS: 4, PUB: -1, PRIV: -2 } as const;
/** RFC 9052 §7.1 key_ops values that allow signatures: sign (1), verify (2). */
const SIGNATURE_OPS = [1, 2, 'sign', 'verify'];
/** RFC 9964 §8.1.2: kty AKP. */
export const KTY_AKP = 7;

/** The required parameters of an AKP key: kty, alg, pub (RFC 9964 §6). */
const requiredParams = (k: PublicKey) =>
  new Map<number, unknown>([
    [COSE_KEY.KTY, KTY_AKP],
    [COSE_KEY.ALG, k.params.coseAlg],
    [COSE_KEY.PUB, k.publicKey],
  ]);

/** RFC 9679 §3: SHA-256 over the deterministic encoding (RFC 8949 §4.2.1) of the required parameters. */
export async function coseKeyThumbprint(k: PublicKey): Promise<Uint8Array> {
  const cbor = await loadCbor();
  return new Uint8Array(
    createHash('sha256')
      .update(cbor.encodeDeterministic(requiredParams(k)))
      .digest(),
  );
}

/** The public AKP COSE_Key with its thumbprint as kid, deterministically encoded. */
export async function encodeCoseKey(k: PublicKey): Promise<Uint8Array> {
  const cbor = await loadCbor();
  const key = requiredParams(k).set(COSE_KEY.KID, await coseKeyThumbprint(k));
  return cbor.encodeDeterministic(key);
}

const bad = (why: string) => new PqsignError('ERR_KEY_FORMAT', why);

/** A decoded COSE_Key map (RFC 9052 §7, AKP per RFC 9964 §8.1) → key material; unknown labels are ignored. */
export function readCoseKey(map: Map<unknown, unknown>, what = 'COSE_Key'): AkpKeyMaterial {
  const kty = map.get(COSE_KEY.KTY);
  if (kty !== KTY_AKP) throw bad(`${what} has kty ${String(kty)}; ML-DSA keys are kty ${KTY_AKP} (AKP, RFC 9964)`);
  const alg = map.get(COSE_KEY.ALG);
  const params = typeof alg === 'number' ? paramByCoseAlg(alg) : undefined;
  if (!params)
    throw new PqsignError('ERR_ALGORITHM', `${what} alg ${String(alg)} is not ML-DSA-44 (-48), ML-DSA-65 (-49) or ML-DSA-87 (-50)`);
  const ops = map.get(COSE_KEY.KEY_OPS);
  if (ops !== undefined && !(Array.isArray(ops) && ops.some((o) => SIGNATURE_OPS.includes(o as never)))) {
    throw bad(`${what} key_ops allow neither sign nor verify`);
  }
  const bytes = (label: number, name: string): Uint8Array | undefined => {
    const v = map.get(label);
    if (v !== undefined && !(v instanceof Uint8Array)) throw bad(`${what} ${name} (${label}) is not a byte string`);
    return v;
  };
  const publicKey = bytes(COSE_KEY.PUB, 'pub');
  if (!publicKey) throw bad(`${what} has no pub (-1)`);
  if (publicKey.length !== params.publicKeyBytes)
    throw bad(`${what} pub is ${publicKey.length} bytes; ${params.name} public keys are ${params.publicKeyBytes}`);
  const seed = bytes(COSE_KEY.PRIV, 'priv');
  if (seed && seed.length !== SEED_BYTES)
    throw bad(`${what} priv is ${seed.length} bytes; RFC 9964 private keys are the ${SEED_BYTES}-byte seed`);
  return {
    format: 'cose-key',
    params,
    publicKey: Uint8Array.from(publicKey),
    seed: seed && Uint8Array.from(seed),
    kid: bytes(COSE_KEY.KID, 'kid'),
  };
}
