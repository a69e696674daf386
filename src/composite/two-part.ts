// A composite key from two separate keys, `--key 'ML-DSA-REF+TRADITIONAL-REF'` (docs/hybrid.md): the
// ML-DSA part is any ML-DSA reference (file or awskms://, signing external μ), the traditional part a
// PKCS#8/SEC1/PKCS#1 key file (PEM or DER) or a KMS ECC key (src/pipeline/keyref.ts opens those). The composite
// algorithm is --alg, or the one table row that matches both parts (RSA needs --alg: PSS and PKCS#1
// v1.5 keys look alike).
import { existsSync } from 'node:fs';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { COMPOSITE_ALGS, compositeByName, type CompositeAlg } from './params.js';
import { PqsignError, opt } from '../base/errors.js';
import { readSmallFile } from '../io/read.js';
import type { ParamSet } from '../mldsa/params.js';
import { compositePublicKey } from './keys.js';
import { rawTradPublicKey } from './traditional.js';

export const isUri = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s);
const exists = (s: string) => isUri(s) || existsSync(s);

/** Split "A+B" into its two references, or undefined for a single reference (a file whose name holds "+"). */
export function splitTwoPart(ref: string): [string, string] | undefined {
  if (!ref.includes('+') || existsSync(ref)) return undefined;
  for (let i = ref.indexOf('+'); i > 0; i = ref.indexOf('+', i + 1)) {
    const a = ref.slice(0, i);
    const b = ref.slice(i + 1);
    if (b && exists(a) && exists(b)) return [a, b];
  }
  throw new PqsignError(
    'ERR_USAGE',
    `"${ref}" is neither a key file nor two key references joined by "+" (ML-DSA key + traditional key, docs/hybrid.md)`,
  );
}

/** Read the traditional key file: a private key when `private`, else its public key (a private key file gives one too). */
export async function loadTradKey(ref: string, want: 'private' | 'public'): Promise<KeyObject> {
  const data = Buffer.from(await readSmallFile(ref, 'key file', 1024 * 1024));
  const pem = data.includes('-----BEGIN');
  try {
    if (want === 'private') return createPrivateKey(pem ? { key: data } : { key: data, format: 'der', type: 'pkcs8' });
    try {
      return createPublicKey(pem ? { key: data } : { key: data, format: 'der', type: 'spki' });
    } catch {
      return createPublicKey(createPrivateKey(pem ? { key: data } : { key: data, format: 'der', type: 'pkcs8' }));
    }
  } catch (e) {
    throw new PqsignError('ERR_KEY_FORMAT', `not an ECDSA, EdDSA or RSA ${want} key (${(e as Error).message})`, { file: ref });
  }
}

/** Does this table row's traditional part take this key? */
function fits(alg: CompositeAlg, key: KeyObject): boolean {
  const t = alg.trad;
  const d = key.asymmetricKeyDetails;
  switch (t.kind) {
    case 'ecdsa':
      return key.asymmetricKeyType === 'ec' && d?.namedCurve === t.curve;
    case 'ed25519':
    case 'ed448':
      return key.asymmetricKeyType === t.kind;
    default:
      return key.asymmetricKeyType === 'rsa' && d?.modulusLength === t.bits;
  }
}

/** The composite algorithm for an ML-DSA parameter set and a traditional key. */
export function compositeFor(params: ParamSet, trad: KeyObject, algName: string | undefined, ref: string): CompositeAlg {
  const named = algName ? compositeByName(algName) : undefined;
  const candidates = named ? [named] : COMPOSITE_ALGS.filter((a) => a.mldsa === params && fits(a, trad));
  const alg = candidates[0];
  if (!alg || candidates.length > 1) {
    throw new PqsignError(
      'ERR_USAGE',
      candidates.length
        ? `${params.name} with this key fits ${candidates.map((c) => c.name).join(' and ')}: pass ${opt('alg')}`
        : `no composite algorithm pairs ${params.name} with a ${trad.asymmetricKeyType} ${trad.asymmetricKeyDetails?.namedCurve ?? ''} key (docs/hybrid.md)`,
      { file: ref },
    );
  }
  if (alg.mldsa !== params)
    throw new PqsignError('ERR_ALGORITHM', `${alg.name} needs an ${alg.mldsa.name} key, not ${params.name}`, { file: ref });
  if (!fits(alg, trad)) throw new PqsignError('ERR_ALGORITHM', `the traditional key does not fit ${alg.name}`, { file: ref });
  return alg;
}

/** The raw composite public key of the two parts (checked as the draft encodes it). */
export const twoPartPublicKey = (alg: CompositeAlg, mldsaPublicKey: Uint8Array, trad: KeyObject): Uint8Array =>
  compositePublicKey(
    alg,
    Uint8Array.from([...mldsaPublicKey, ...rawTradPublicKey(alg.trad, trad.type === 'private' ? createPublicKey(trad) : trad)]),
  ).publicKey;
