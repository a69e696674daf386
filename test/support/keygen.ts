// Key pairs for tests, written as `pqsign keygen` writes them (PKCS#8 PEM 0600, SPKI PEM), in this process:
// key generation is set-up for most tests, not their subject. Kept small: the PKI fixture imports it.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePem } from '../../src/asn1/pem.js';
import { encodePkcs8, type WRITABLE_KEY_FORMS } from '../../src/keys/pkcs8.js';
import { encodeSpki } from '../../src/mldsa/asn1.js';
import { keygenFromSeed } from '../../src/mldsa/mldsa.js';
import { paramByName, SEED_BYTES } from '../../src/mldsa/params.js';
import { compositeByName } from '../../src/composite/params.js';
import { writeCompositeKeyPair } from './composite-keys.js';

export interface KeyFiles {
  /** PKCS#8 PEM, 0600 */
  key: string;
  /** SPKI PEM */
  pub: string;
  publicKey: Uint8Array;
}

/** `pqsign keygen --alg ALG --key-form FORM --out KEY [--pub PUB]` (ALG ML-DSA or composite): the raw public key. */
export function writeKeyPair(
  key: string,
  pub: string | undefined,
  alg = 'ML-DSA-65',
  form: (typeof WRITABLE_KEY_FORMS)[number] = 'seed',
): Uint8Array {
  // a composite ML-DSA algorithm (docs/hybrid.md): the draft's PKCS#8 and SPKI; `form` does not apply
  if (compositeByName(alg)) return writeCompositeKeyPair(key, pub, alg).publicKey;
  const params = paramByName(alg);
  if (!params) throw new Error(`not an ML-DSA parameter set or composite algorithm: ${alg}`);
  const seed = new Uint8Array(randomBytes(SEED_BYTES));
  const kp = keygenFromSeed(params, seed);
  writeFileSync(key, encodePem('PRIVATE KEY', encodePkcs8({ params, seed, ...kp, form }, form)), { mode: 0o600 });
  if (pub) writeFileSync(pub, encodePem('PUBLIC KEY', encodeSpki(params, kp.publicKey)));
  return kp.publicKey;
}

/** writeKeyPair to DIR/NAME.pem and DIR/NAME.pub.pem */
export function keygenFiles(dir: string, name: string, alg = 'ML-DSA-65', form: (typeof WRITABLE_KEY_FORMS)[number] = 'seed'): KeyFiles {
  const key = join(dir, `${name}.pem`);
  const pub = join(dir, `${name}.pub.pem`);
  return { key, pub, publicKey: writeKeyPair(key, pub, alg, form) };
}
