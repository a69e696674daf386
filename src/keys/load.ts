// Load whatever a key file holds: PKCS#8 (plain or encrypted, PEM or DER, any RFC 9881 form),
// SPKI, an X.509 certificate, a JWK / JWK Set / COSE_Key / COSE_KeySet (RFC 9964 AKP; FILE#KID picks
// one key of a set), a raw FIPS 204 public key, or a raw 32-byte seed / expanded key (needs --alg).
import { existsSync } from 'node:fs';
import { TAG, readChildren, readTlv, oidToString } from '../asn1/der.js';
import { decodePem, looksLikePem } from '../asn1/pem.js';
import { PqsignError, isPqsignError, opt } from '../base/errors.js';
import { readSmallFile } from '../io/read.js';
import { SEED_BYTES, paramByName, paramByPublicKeyLength, PARAM_SETS, type ParamSet } from '../mldsa/params.js';
import { decryptPkcs8 } from './pbes2.js';
import { getPassphrase, type PassphraseSource } from './passphrase.js';
import { checkExpandedKey, parsePkcs8 } from './pkcs8.js';
import { parseSpki, spkiFromCertificate, type PublicKey } from './spki.js';
import { readKeyDocument } from './key-set.js';
import { equalBytes } from '../base/bytes.js';
import { keygenFromSeed } from '../mldsa/mldsa.js';
import { compositeByName, compositeByOidDer, type CompositeAlg } from '../composite/params.js';
import { compositePrivateKey, compositePublicKey, parseCompositePkcs8, type CompositePrivateKey } from '../composite/keys.js';
import type { PrivateKey } from '../mldsa/keys.js';

export type LoadedKey =
  | { kind: 'private'; key: PrivateKey; encrypted: boolean }
  | { kind: 'composite-private'; key: CompositePrivateKey; encrypted: boolean }
  | { kind: 'public'; key: PublicKey; source: 'spki' | 'certificate' | 'raw' | 'jwk' | 'cose-key' };

export interface LoadOptions extends PassphraseSource {
  /** parameter set for raw seed / raw expanded key files, which do not say */
  alg?: string | undefined;
}

const PBES2_OID = '1.2.840.113549.1.5.13';

export async function loadKeyFile(ref: string, opts: LoadOptions = {}): Promise<LoadedKey> {
  const { path, selector } = splitSelector(ref);
  const data = await readSmallFile(path, 'key file', 1024 * 1024);
  if (data.length === 0) throw new PqsignError('ERR_KEY_FORMAT', 'key file is empty', { file: path });
  try {
    return await loadKeyBytes(data, path, opts, selector);
  } catch (e) {
    throw isPqsignError(e) ? e.withFile(ref) : e;
  }
}

/**
 * FILE#KID names one key of a key set. A path that exists as given is never split (file names may
 * hold "#"); otherwise the first "#" whose left side is an existing file splits (kids may hold "#").
 */
function splitSelector(ref: string): { path: string; selector: string | undefined } {
  if (!ref.includes('#') || existsSync(ref)) return { path: ref, selector: undefined };
  for (let i = ref.indexOf('#'); i > 0; i = ref.indexOf('#', i + 1)) {
    if (existsSync(ref.slice(0, i))) return { path: ref.slice(0, i), selector: ref.slice(i + 1) };
  }
  return { path: ref, selector: undefined };
}

export async function loadKeyBytes(data: Uint8Array, label: string, opts: LoadOptions = {}, selector?: string): Promise<LoadedKey> {
  if (selector !== undefined && (looksLikePem(data) || derKind(data))) {
    throw new PqsignError('ERR_USAGE', `"#${selector}" selects one key of a JWK Set or COSE_KeySet; this is a PEM or DER file`);
  }
  if (looksLikePem(data)) {
    const blocks = decodePem(data);
    const b = blocks.find((x) => /PRIVATE KEY|PUBLIC KEY|CERTIFICATE/.test(x.label));
    if (!b) throw new PqsignError('ERR_KEY_FORMAT', `no key or certificate PEM block (found ${blocks.map((x) => x.label).join(', ')})`);
    switch (b.label) {
      case 'PRIVATE KEY':
        return privateKeyOf(b.der, false);
      case 'ENCRYPTED PRIVATE KEY':
        return privateKeyOf(await decrypt(b.der, label, opts), true);
      case 'PUBLIC KEY':
        return { kind: 'public', key: parseSpki(b.der, ANY), source: 'spki' };
      case 'CERTIFICATE':
        return { kind: 'public', key: spkiFromCertificate(b.der, ANY), source: 'certificate' };
      default:
        throw new PqsignError('ERR_KEY_FORMAT', `unsupported PEM block "${b.label}"`);
    }
  }
  const der = derKind(data);
  if (der === 'pkcs8') return privateKeyOf(data, false);
  if (der === 'encrypted') return privateKeyOf(await decrypt(data, label, opts), true);
  if (der === 'spki') return { kind: 'public', key: parseSpki(data, ANY), source: 'spki' };
  if (der === 'certificate') return { kind: 'public', key: spkiFromCertificate(data, ANY), source: 'certificate' };
  // --alg naming a composite: the draft's raw forms, which no key document resembles
  const composite = opts.alg ? compositeByName(opts.alg) : undefined;
  if (composite && selector === undefined) return loadRawComposite(composite, data);
  return (await keyDocument(data, selector)) ?? loadRaw(data, opts);
}

/** JWK, JWK Set, COSE_Key, COSE_KeySet. A key with "priv" (its seed) is a private key whose "pub" must match. */
async function keyDocument(data: Uint8Array, selector: string | undefined): Promise<LoadedKey | undefined> {
  const m = await readKeyDocument(data, selector);
  if (!m) {
    if (selector !== undefined)
      throw new PqsignError('ERR_USAGE', `"#${selector}" selects one key of a JWK Set or COSE_KeySet; this is a raw key`);
    return undefined;
  }
  const source = m.format;
  if (!m.seed) return { kind: 'public', key: { params: m.params, publicKey: m.publicKey }, source };
  const kp = keygenFromSeed(m.params, m.seed);
  if (!equalBytes(kp.publicKey, m.publicKey))
    throw new PqsignError(
      'ERR_KEY_MISMATCH',
      `the ${source === 'jwk' ? 'JWK' : 'COSE_Key'} public key is not the one its private seed derives`,
    );
  return { kind: 'private', encrypted: false, key: { params: m.params, seed: m.seed, ...kp, form: 'seed' } };
}

type DerKind = 'pkcs8' | 'encrypted' | 'spki' | 'certificate' | undefined;

function derKind(data: Uint8Array): DerKind {
  try {
    const top = readTlv(data, 0);
    if (top.tag !== TAG.SEQUENCE || top.end !== data.length) return undefined;
    const kids = readChildren(top.value);
    if (kids[0]?.tag === TAG.INTEGER) return 'pkcs8';
    if (kids[0]?.tag !== TAG.SEQUENCE) return undefined;
    if (kids[1]?.tag === TAG.BIT_STRING && kids.length === 2) {
      const first = readChildren(kids[0].value)[0];
      return first?.tag === TAG.OID ? 'spki' : 'certificate';
    }
    if (kids[1]?.tag === TAG.OCTET_STRING) {
      const algOid = readChildren(kids[0].value)[0];
      if (algOid?.tag === TAG.OID && oidToString(algOid.value) === PBES2_OID) return 'encrypted';
    }
    if (kids.length === 3 && kids[1]?.tag === TAG.SEQUENCE && kids[2]?.tag === TAG.BIT_STRING) return 'certificate';
    return undefined;
  } catch {
    return undefined; // not DER: try the raw encodings
  }
}

/** A loaded key file may hold either kind of key; callers that need ML-DSA refuse composites (keyref.ts). */
const ANY = { composite: true };

/** PKCS#8 of an ML-DSA or a composite key, told apart by the algorithm OID. */
function privateKeyOf(der: Uint8Array, encrypted: boolean): LoadedKey {
  const top = readChildren(readTlv(der, 0).value);
  const algOid = top[1]?.tag === TAG.SEQUENCE ? readChildren(top[1].value)[0] : undefined;
  if (algOid?.tag === TAG.OID && compositeByOidDer(algOid.value))
    return { kind: 'composite-private', key: parseCompositePkcs8(der), encrypted };
  return { kind: 'private', key: parsePkcs8(der), encrypted };
}

async function decrypt(der: Uint8Array, label: string, opts: LoadOptions): Promise<Uint8Array> {
  const pass = await getPassphrase(opts, label);
  const plain = decryptPkcs8(der, pass);
  try {
    privateKeyOf(plain, true);
    return plain;
  } catch (e) {
    // CBC padding passes by chance for ~1/256 wrong passphrases; the garbage then fails to parse.
    if (isPqsignError(e) && e.code === 'ERR_KEY_FORMAT') throw new PqsignError('ERR_PASSPHRASE', 'wrong passphrase (decryption failed)');
    throw e;
  }
}

function loadRaw(data: Uint8Array, opts: LoadOptions): LoadedKey {
  const byPub = paramByPublicKeyLength(data.length);
  if (byPub) return { kind: 'public', key: { params: byPub, publicKey: Uint8Array.from(data) }, source: 'raw' };
  const bySk = PARAM_SETS.find((p) => p.secretKeyBytes === data.length);
  if (data.length === SEED_BYTES || bySk) {
    const params = requireAlg(opts, bySk, data.length === SEED_BYTES ? 'a raw 32-byte seed' : 'a raw expanded private key');
    if (data.length === SEED_BYTES) {
      const kp = keygenFromSeed(params, data);
      return { kind: 'private', encrypted: false, key: { params, seed: Uint8Array.from(data), ...kp, form: 'bare-seed' } };
    }
    if (params !== bySk) throw new PqsignError('ERR_ALGORITHM', `raw private key length ${data.length} is not ${params.name}`);
    return { kind: 'private', encrypted: false, key: { params, seed: undefined, form: 'expanded', ...checkExpandedKey(params, data) } };
  }
  throw new PqsignError(
    'ERR_KEY_FORMAT',
    `not a recognised ML-DSA key: not PEM, not PKCS#8/SPKI/certificate DER, and ${data.length} bytes matches no raw key size`,
  );
}

/** The draft's raw forms: public ML-DSA pk ‖ traditional pk, private seed ‖ traditional private key. */
function loadRawComposite(alg: CompositeAlg, data: Uint8Array): LoadedKey {
  try {
    return {
      kind: 'public',
      key: { params: alg.mldsa, publicKey: compositePublicKey(alg, data).publicKey, composite: alg },
      source: 'raw',
    };
  } catch {
    // not a public key of this algorithm: try the private form
  }
  try {
    return { kind: 'composite-private', key: compositePrivateKey(alg, data), encrypted: false };
  } catch {
    throw new PqsignError('ERR_KEY_FORMAT', `not a raw ${alg.name} public or private key (${data.length} bytes)`);
  }
}

function requireAlg(opts: LoadOptions, fallback: ParamSet | undefined, what: string): ParamSet {
  if (opts.alg) {
    const p = paramByName(opts.alg);
    if (!p) throw new PqsignError('ERR_USAGE', `unknown algorithm "${opts.alg}" (use ML-DSA-44, ML-DSA-65 or ML-DSA-87)`);
    return p;
  }
  if (fallback) return fallback;
  throw new PqsignError('ERR_USAGE', `${what} does not say its parameter set: pass ${opt('alg')} ML-DSA-44|65|87`);
}
