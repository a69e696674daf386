// SubjectPublicKeyInfo for ML-DSA (RFC 9881 §4): AlgorithmIdentifier with parameters absent, and the
// raw FIPS 204 public key as the BIT STRING contents. Also pulls the SPKI out of an X.509 certificate.
import { TAG, expectTag, oidToString, readChildren, readWhole } from '../asn1/der.js';
import { PqsignError } from '../base/errors.js';
import { paramByName, paramByOidDer, type ParamSet } from '../mldsa/params.js';
import { compositeByName, compositeByOidDer, type CompositeAlg } from '../composite/params.js';
import { compositePublicKey, encodeCompositeSpki } from '../composite/keys.js';
import { encodeSpki } from '../mldsa/asn1.js';

export interface PublicKey {
  /** the ML-DSA parameter set (of the ML-DSA component, for a composite key) */
  params: ParamSet;
  /** raw public key: FIPS 204 bytes, or the raw composite key (ML-DSA ‖ traditional) */
  publicKey: Uint8Array;
  /** set for a composite ML-DSA key (draft-ietf-lamps-pq-composite-sigs); only composite-aware code accepts one */
  composite?: CompositeAlg | undefined;
}

/** Where composite keys are allowed: ML-DSA-only callers keep the default and refuse them. */
export interface SpkiOptions {
  composite?: boolean | undefined;
}

/** A key as plain data that crosses a worker_threads boundary (trust rules): algorithm name and raw bytes. */
export interface KeyData {
  /** ML-DSA-44|65|87 or a composite name (MLDSA65-ECDSA-P256-SHA512) */
  alg: string;
  publicKey: Uint8Array;
}

export const keyData = (k: PublicKey): KeyData => ({ alg: k.composite?.name ?? k.params.name, publicKey: k.publicKey });

/** KeyData back to a key; undefined for an algorithm name this build does not know. */
export function keyFromData(d: KeyData): PublicKey | undefined {
  const composite = compositeByName(d.alg);
  if (composite) return { params: composite.mldsa, publicKey: d.publicKey, composite };
  const params = paramByName(d.alg);
  return params ? { params, publicKey: d.publicKey } : undefined;
}

/** SPKI of either kind of key. */
export const encodePublicKey = (k: PublicKey): Uint8Array =>
  k.composite ? encodeCompositeSpki(k.composite, k.publicKey) : encodeSpki(k.params, k.publicKey);

export function parseSpki(der: Uint8Array, opts: SpkiOptions = {}): PublicKey {
  return spkiFromTlv(readWhole(der, TAG.SEQUENCE, 'SubjectPublicKeyInfo').value, opts);
}

function spkiFromTlv(value: Uint8Array, opts: SpkiOptions): PublicKey {
  const [alg, bits, ...rest] = readChildren(value);
  if (rest.length) throw new PqsignError('ERR_KEY_FORMAT', 'SubjectPublicKeyInfo has extra fields');
  const algFields = readChildren(expectTag(alg, TAG.SEQUENCE, 'algorithm').value);
  const oidDer = expectTag(algFields[0], TAG.OID, 'algorithm OID').value;
  const composite = compositeByOidDer(oidDer);
  const params = composite?.mldsa ?? paramByOidDer(oidDer);
  if (composite && !opts.composite)
    throw new PqsignError('ERR_ALGORITHM', `is a composite ${composite.name} key; this needs an ML-DSA key`);
  if (!params) throw new PqsignError('ERR_ALGORITHM', `not an ML-DSA public key (algorithm ${oidToString(oidDer)})`);
  if (algFields.length !== 1)
    throw new PqsignError(
      'ERR_KEY_FORMAT',
      `${composite ? 'composite' : 'ML-DSA'} AlgorithmIdentifier parameters must be absent (${composite ? 'draft-ietf-lamps-pq-composite-sigs' : 'RFC 9881 §2'})`,
    );
  const bs = expectTag(bits, TAG.BIT_STRING, 'subjectPublicKey').value;
  if (bs[0] !== 0) throw new PqsignError('ERR_KEY_FORMAT', 'subjectPublicKey has unused bits');
  const publicKey = bs.subarray(1);
  if (composite) return { params, publicKey: compositePublicKey(composite, publicKey).publicKey, composite };
  if (publicKey.length !== params.publicKeyBytes) {
    throw new PqsignError('ERR_KEY_FORMAT', `${params.name} public key must be ${params.publicKeyBytes} bytes, got ${publicKey.length}`);
  }
  return { params, publicKey: Uint8Array.from(publicKey) };
}

/** Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version?, serial, sig, issuer, validity, subject, spki, ... } ... } */
export function spkiFromCertificate(der: Uint8Array, opts: SpkiOptions = {}): PublicKey {
  const [tbs] = readChildren(readWhole(der, TAG.SEQUENCE, 'Certificate').value);
  const fields = readChildren(expectTag(tbs, TAG.SEQUENCE, 'tbsCertificate').value);
  const i = fields[0]?.tag === TAG.CTX0_CONS ? 1 : 0;
  return spkiFromTlv(expectTag(fields[i + 5], TAG.SEQUENCE, 'subjectPublicKeyInfo').value, opts);
}
