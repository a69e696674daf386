// Composite ML-DSA key pairs for tests, written as `pqsign keygen --alg COMPOSITE` writes them (the draft's
// PKCS#8 PEM 0600 and SPKI PEM), in this process: key generation is set-up, not the subject.
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePem } from '../../src/asn1/pem.js';
import { encodeCompositePkcs8, encodeCompositeSpki, generateComposite, type CompositePrivateKey } from '../../src/composite/keys.js';
import { compositeByName } from '../../src/composite/params.js';

export interface CompositeKeyFiles {
  /** PKCS#8 PEM, 0600 */
  key: string;
  /** SPKI PEM */
  pub: string;
  /** the key itself, for crafting signatures by hand */
  priv: CompositePrivateKey;
}

/** `pqsign keygen --alg ALG --out KEY [--pub PUB]` for a composite ALG. */
export function writeCompositeKeyPair(key: string, pub: string | undefined, alg: string): CompositePrivateKey {
  const params = compositeByName(alg);
  if (!params) throw new Error(`not a composite algorithm: ${alg}`);
  const priv = generateComposite(params);
  writeFileSync(key, encodePem('PRIVATE KEY', encodeCompositePkcs8(priv)), { mode: 0o600 });
  if (pub) writeFileSync(pub, encodePem('PUBLIC KEY', encodeCompositeSpki(params, priv.publicKey)));
  return priv;
}

/** writeCompositeKeyPair to DIR/NAME.key and DIR/NAME.pub */
export function compositeKeyFiles(dir: string, name: string, alg: string): CompositeKeyFiles {
  const key = join(dir, `${name}.key`);
  const pub = join(dir, `${name}.pub`);
  return { key, pub, priv: writeCompositeKeyPair(key, pub, alg) };
}

/** A traditional ECDSA key on CURVE (OpenSSL's name) as DIR/NAME.pem (PKCS#8) and DIR/NAME.pub (SPKI): the second
 * part of a two-part composite 'ML-DSA-REF+TRADITIONAL-KEY', made with Node's crypto as a user's tools would. */
export function ecKeyFiles(dir: string, curve: string, name: string): { key: string; pub: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  writeFileSync(join(dir, `${name}.pem`), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, `${name}.pub`), publicKey.export({ type: 'spki', format: 'pem' }));
  return { key: join(dir, `${name}.pem`), pub: join(dir, `${name}.pub`) };
}
