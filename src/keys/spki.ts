// SubjectPublicKeyInfo for ML-DSA (RFC 9881 §4): AlgorithmIdentifier with parameters absent, and the
// raw FIPS 204 public key as the BIT STRING contents. Also pulls the SPKI out of an X.509 certificate.
import { TAG, expectTag, oidToString, readChildren, readWhole, tlv } from '../asn1/der.js';
import { PqsignError } from '../errors.js';
import { paramByOidDer, type ParamSet } from '../params.js';

export interface PublicKey {
  params: ParamSet;
  publicKey: Uint8Array;
}

export function encodeSpki(params: ParamSet, publicKey: Uint8Array): Uint8Array {
  return tlv(TAG.SEQUENCE, tlv(TAG.SEQUENCE, tlv(TAG.OID, params.oidDer)), tlv(TAG.BIT_STRING, Uint8Array.of(0), publicKey));
}

export function parseSpki(der: Uint8Array): PublicKey {
  return spkiFromTlv(readWhole(der, TAG.SEQUENCE, 'SubjectPublicKeyInfo').value);
}

function spkiFromTlv(value: Uint8Array): PublicKey {
  const [alg, bits, ...rest] = readChildren(value);
  if (rest.length) throw new PqsignError('ERR_KEY_FORMAT', 'SubjectPublicKeyInfo has extra fields');
  const algFields = readChildren(expectTag(alg, TAG.SEQUENCE, 'algorithm').value);
  const oidDer = expectTag(algFields[0], TAG.OID, 'algorithm OID').value;
  const params = paramByOidDer(oidDer);
  if (!params) throw new PqsignError('ERR_ALGORITHM', `not an ML-DSA public key (algorithm ${oidToString(oidDer)})`);
  if (algFields.length !== 1) throw new PqsignError('ERR_KEY_FORMAT', 'ML-DSA AlgorithmIdentifier parameters must be absent (RFC 9881 §2)');
  const bs = expectTag(bits, TAG.BIT_STRING, 'subjectPublicKey').value;
  if (bs[0] !== 0) throw new PqsignError('ERR_KEY_FORMAT', 'subjectPublicKey has unused bits');
  const publicKey = bs.subarray(1);
  if (publicKey.length !== params.publicKeyBytes) {
    throw new PqsignError('ERR_KEY_FORMAT', `${params.name} public key must be ${params.publicKeyBytes} bytes, got ${publicKey.length}`);
  }
  return { params, publicKey: Uint8Array.from(publicKey) };
}

/** Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version?, serial, sig, issuer, validity, subject, spki, ... } ... } */
export function spkiFromCertificate(der: Uint8Array): PublicKey {
  const [tbs] = readChildren(readWhole(der, TAG.SEQUENCE, 'Certificate').value);
  const fields = readChildren(expectTag(tbs, TAG.SEQUENCE, 'tbsCertificate').value);
  const i = fields[0]?.tag === TAG.CTX0_CONS ? 1 : 0;
  return spkiFromTlv(expectTag(fields[i + 5], TAG.SEQUENCE, 'subjectPublicKeyInfo').value);
}
