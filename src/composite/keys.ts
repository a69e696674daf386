// Composite keys (draft-ietf-lamps-pq-composite-sigs §5): the raw public key is ML-DSA pk ‖ traditional
// pk, the raw private key is the 32-byte ML-DSA seed ‖ traditional private key; in SPKI and PKCS#8
// (version 0, RFC 5958) they are the BIT STRING / OCTET STRING contents under the composite OID with
// parameters absent. The fingerprint is SHA-256 of the raw composite public key, as for ML-DSA.
import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { TAG, expectTag, readChildren, readUint, readWhole, tlv } from '../asn1/der.js';
import { concatBytes, equalBytes } from '../base/bytes.js';
import { compositeByOidDer, type CompositeAlg } from './params.js';
import { PqsignError } from '../base/errors.js';
import { keygenFromSeed } from '../mldsa/mldsa.js';
import { SEED_BYTES } from '../mldsa/params.js';
import { generateTradKey, rawTradPrivateKey, rawTradPublicKey, tradPrivateKey, tradPublicKey } from './traditional.js';
import type { PrivateKey } from '../mldsa/keys.js';

export interface CompositePublicKey {
  alg: CompositeAlg;
  /** raw composite public key (what the fingerprint hashes) */
  publicKey: Uint8Array;
  mldsaPublicKey: Uint8Array;
  tradPublicKey: KeyObject;
}

export interface CompositePrivateKey extends CompositePublicKey {
  /** the ML-DSA component (from its seed) */
  mldsa: PrivateKey;
  tradPrivateKey: KeyObject;
  /** raw composite private key: seed ‖ traditional private key */
  privateKey: Uint8Array;
}

/** Split and check a raw composite public key. */
export function compositePublicKey(alg: CompositeAlg, raw: Uint8Array): CompositePublicKey {
  const n = alg.mldsa.publicKeyBytes;
  if (raw.length <= n) throw new PqsignError('ERR_KEY_FORMAT', `${alg.name} public key is ${raw.length} bytes, too short`);
  return { alg, publicKey: Uint8Array.from(raw), mldsaPublicKey: raw.slice(0, n), tradPublicKey: tradPublicKey(alg.trad, raw.subarray(n)) };
}

/** Split and check a raw composite private key; the public key is derived from it. */
export function compositePrivateKey(alg: CompositeAlg, raw: Uint8Array): CompositePrivateKey {
  if (raw.length <= SEED_BYTES) throw new PqsignError('ERR_KEY_FORMAT', `${alg.name} private key is ${raw.length} bytes, too short`);
  const seed = raw.slice(0, SEED_BYTES);
  const trad = tradPrivateKey(alg.trad, raw.subarray(SEED_BYTES));
  return fromParts(alg, seed, trad);
}

export function fromParts(alg: CompositeAlg, seed: Uint8Array, trad: KeyObject): CompositePrivateKey {
  const kp = keygenFromSeed(alg.mldsa, seed);
  const mldsa: PrivateKey = { params: alg.mldsa, seed, ...kp, form: 'bare-seed' };
  const tradPub = createPublicKey(trad);
  const publicKey = concatBytes(kp.publicKey, rawTradPublicKey(alg.trad, tradPub));
  return {
    alg,
    publicKey,
    mldsaPublicKey: kp.publicKey,
    tradPublicKey: tradPub,
    mldsa,
    tradPrivateKey: trad,
    privateKey: concatBytes(seed, rawTradPrivateKey(alg.trad, trad)),
  };
}

/** The key pair from fresh randomness (draft §4.1: both components generated anew, never reused). */
export function generateComposite(alg: CompositeAlg): CompositePrivateKey {
  return fromParts(alg, new Uint8Array(randomBytes(SEED_BYTES)), generateTradKey(alg.trad));
}

const algId = (alg: CompositeAlg) => tlv(TAG.SEQUENCE, tlv(TAG.OID, alg.oidDer));

export const encodeCompositeSpki = (alg: CompositeAlg, publicKey: Uint8Array): Uint8Array =>
  tlv(TAG.SEQUENCE, algId(alg), tlv(TAG.BIT_STRING, Uint8Array.of(0), publicKey));

/** OneAsymmetricKey v0 with the raw composite private key (the draft's and Bouncy Castle's form). */
export const encodeCompositePkcs8 = (key: CompositePrivateKey): Uint8Array =>
  tlv(TAG.SEQUENCE, Uint8Array.of(TAG.INTEGER, 1, 0), algId(key.alg), tlv(TAG.OCTET_STRING, key.privateKey));

/** A v1 PKCS#8 may carry the public key: it must be the one the private key derives. */
export function checkEmbeddedPublicKey(key: CompositePrivateKey, embedded: Uint8Array | undefined): CompositePrivateKey {
  if (embedded && !equalBytes(embedded, key.publicKey)) {
    throw new PqsignError('ERR_KEY_MISMATCH', 'the public key inside the PKCS#8 does not match the private key');
  }
  return key;
}

/** PKCS#8 / OneAsymmetricKey under a composite OID (the caller saw the OID). */
export function parseCompositePkcs8(der: Uint8Array): CompositePrivateKey {
  const top = readChildren(readWhole(der, TAG.SEQUENCE, 'PrivateKeyInfo').value);
  const version = readUint(expectTag(top[0], TAG.INTEGER, 'version'), 'version');
  if (version !== 0 && version !== 1) throw new PqsignError('ERR_KEY_FORMAT', `unsupported PKCS#8 version ${version}`);
  const algFields = readChildren(expectTag(top[1], TAG.SEQUENCE, 'privateKeyAlgorithm').value);
  const alg = compositeByOidDer(expectTag(algFields[0], TAG.OID, 'algorithm OID').value);
  if (!alg) throw new PqsignError('ERR_ALGORITHM', 'not a composite ML-DSA private key');
  if (algFields.length !== 1) throw new PqsignError('ERR_KEY_FORMAT', 'composite AlgorithmIdentifier parameters must be absent');
  const inner = expectTag(top[2], TAG.OCTET_STRING, 'privateKey').value;
  let embedded: Uint8Array | undefined;
  for (const t of top.slice(3)) {
    if (t.tag === 0xa0) continue; // attributes
    if (t.tag === 0x81 && version === 1 && t.value[0] === 0) {
      embedded = t.value.subarray(1);
      continue;
    }
    throw new PqsignError('ERR_KEY_FORMAT', 'unexpected field after privateKey');
  }
  return checkEmbeddedPublicKey(compositePrivateKey(alg, inner), embedded);
}
