// Keys in the public API: generate, load, encode, fingerprint, and a signer from a key in memory.
// Thin wrappers over the key codecs (src/keys, src/composite) that `pqsign keygen` and `pubkey` use.
import { randomBytes } from 'node:crypto';
import { encodePem } from '../src/asn1/pem.js';
import { PqsignError } from '../src/base/errors.js';
import { keyFingerprint } from '../src/keys/fingerprint.js';
import { compositeByName, type CompositeAlg } from '../src/composite/params.js';
import { encodeCompositePkcs8, generateComposite, type CompositePrivateKey } from '../src/composite/keys.js';
import { localCompositeSigner, type CompositeSigner } from '../src/composite/signer.js';
import { PUBLIC_KEY_ENCODERS, COMPOSITE_ENCODINGS, type EncodeOptions } from '../src/keys/export.js';
import { loadKeyBytes, loadKeyFile, type LoadedKey, type LoadOptions } from '../src/keys/load.js';
import { encodePkcs8, type WRITABLE_KEY_FORMS } from '../src/keys/pkcs8.js';
import { encryptPkcs8 } from '../src/keys/pbes2.js';
import type { PublicKey } from '../src/keys/spki.js';
import type { PrivateKey } from '../src/mldsa/keys.js';
import { keygenFromSeed } from '../src/mldsa/mldsa.js';
import { DEFAULT_PARAM, paramByName, SEED_BYTES } from '../src/mldsa/params.js';
import { LocalSigner, type Signer } from '../src/mldsa/signer.js';

/** An ML-DSA private key, or a composite ML-DSA private key (docs/hybrid.md). */
export type AnyPrivateKey = PrivateKey | CompositePrivateKey;

const isComposite = (k: AnyPrivateKey): k is CompositePrivateKey => 'alg' in k && 'mldsa' in k;

/** A new key pair. */
export interface KeyPair {
  /** `ML-DSA-65`, or a composite name such as `MLDSA65-ECDSA-P256-SHA512` */
  algorithm: string;
  privateKey: AnyPrivateKey;
  publicKey: PublicKey;
  /** SHA-256 of the raw public key, hex: how pqsign names keys */
  keyFingerprint: string;
}

/**
 * Generate a key pair from fresh randomness: `ML-DSA-44`, `ML-DSA-65` (default), `ML-DSA-87`, or a
 * composite ML-DSA algorithm such as `MLDSA65-ECDSA-P256-SHA512`.
 */
export function generateKeyPair(algorithm: string = DEFAULT_PARAM.name): KeyPair {
  const composite = compositeByName(algorithm);
  if (composite) {
    const key = generateComposite(composite);
    return { algorithm: composite.name, privateKey: key, publicKey: publicKeyOf(key), keyFingerprint: keyFingerprint(key.publicKey) };
  }
  const params = paramByName(algorithm);
  if (!params)
    throw new PqsignError(
      'ERR_ALGORITHM',
      `unknown algorithm "${algorithm}" (ML-DSA-44, ML-DSA-65, ML-DSA-87 or a composite such as MLDSA65-ECDSA-P256-SHA512)`,
    );
  const seed = new Uint8Array(randomBytes(SEED_BYTES));
  const kp = keygenFromSeed(params, seed);
  const privateKey: PrivateKey = { params, seed, ...kp, form: 'seed' };
  return {
    algorithm: params.name,
    privateKey,
    publicKey: { params, publicKey: kp.publicKey },
    keyFingerprint: keyFingerprint(kp.publicKey),
  };
}

/** The public half of a private key. */
export function publicKeyOf(key: AnyPrivateKey): PublicKey {
  if (isComposite(key)) return { params: key.alg.mldsa, publicKey: key.publicKey, composite: key.alg };
  return { params: key.params, publicKey: key.publicKey };
}

/** How {@link encodePrivateKey} writes a key. */
export interface PrivateKeyEncoding {
  /** RFC 9881 form of an ML-DSA key: `seed` (default), `expanded` or `both`; composite keys have one form */
  form?: (typeof WRITABLE_KEY_FORMS)[number] | undefined;
  /** encrypt with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) under this passphrase */
  passphrase?: string | undefined;
  /** DER bytes instead of PEM text */
  der?: boolean | undefined;
}

/** PKCS#8 (RFC 9881 for ML-DSA, the composite draft's for composite keys): PEM text by default, DER bytes with `der`. */
export function encodePrivateKey(key: AnyPrivateKey, opts: PrivateKeyEncoding = {}): string | Uint8Array {
  let der = isComposite(key) ? encodeCompositePkcs8(key) : encodePkcs8(key, opts.form ?? 'seed');
  let label = 'PRIVATE KEY';
  if (opts.passphrase !== undefined) {
    if (!opts.passphrase) throw new PqsignError('ERR_PASSPHRASE', 'empty passphrase');
    der = encryptPkcs8(der, opts.passphrase);
    label = 'ENCRYPTED PRIVATE KEY';
  }
  return opts.der ? der : encodePem(label, der);
}

/** Public-key encodings: `pem` (SPKI, default), `der`, `raw`, `hex`, `jwk`, `cose-key`, `c` (a C header). */
export type PublicKeyEncoding = 'pem' | 'der' | 'raw' | 'hex' | 'jwk' | 'cose-key' | 'c';

/** Encode a public key; composite keys have `pem`, `der`, `raw` and `hex`. Text encodings are strings. */
export async function encodePublicKey(
  key: PublicKey,
  encoding: PublicKeyEncoding = 'pem',
  opts: EncodeOptions = {},
): Promise<string | Uint8Array> {
  const encode = PUBLIC_KEY_ENCODERS[encoding];
  if (!encode)
    throw new PqsignError('ERR_USAGE', `unknown public key encoding "${encoding}" (${Object.keys(PUBLIC_KEY_ENCODERS).join(', ')})`);
  if (key.composite && !COMPOSITE_ENCODINGS.includes(encoding)) {
    throw new PqsignError('ERR_USAGE', `a composite key is encoded as ${COMPOSITE_ENCODINGS.join(', ')}, not ${encoding}`);
  }
  return encode(key, opts);
}

/**
 * Read a key from a file or bytes: PKCS#8 (plain or encrypted, PEM or DER, any RFC 9881 form), SPKI, an
 * X.509 certificate, a JWK (Set) or COSE_Key (Set) (`FILE#KID` picks one), a raw public key, or a raw seed
 * or expanded key (`alg` needed).
 */
export async function loadKey(input: string | Uint8Array, opts: LoadOptions = {}): Promise<LoadedKey> {
  return typeof input === 'string' ? loadKeyFile(input, opts) : loadKeyBytes(input, '<key>', opts);
}

/** A signer over a private key in memory (hedged ML-DSA unless `deterministic`). */
export function signerFromKey(
  key: AnyPrivateKey,
  opts: { deterministic?: boolean | undefined; description?: string | undefined } = {},
): Signer | CompositeSigner {
  if (isComposite(key)) return localCompositeSigner(key, opts);
  return new LocalSigner(key, {
    ...(opts.deterministic !== undefined ? { deterministic: opts.deterministic } : {}),
    ...(opts.description !== undefined ? { description: opts.description } : {}),
  });
}

export { keyFingerprint };
export type { CompositeAlg, CompositePrivateKey, LoadedKey, LoadOptions, EncodeOptions, PrivateKey, PublicKey };
