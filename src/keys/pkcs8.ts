// ML-DSA private keys in PKCS#8 / OneAsymmetricKey (RFC 5958) with the RFC 9881 §6 private-key CHOICE:
//   ML-DSA-PrivateKey ::= CHOICE {
//     seed        [0] IMPLICIT OCTET STRING (SIZE (32)),
//     expandedKey OCTET STRING,
//     both        SEQUENCE { seed OCTET STRING (SIZE (32)), expandedKey OCTET STRING } }
// plus the legacy bare 32-byte seed (Bouncy Castle 1.80, Botan: the privateKey OCTET STRING holds the seed).
import { TAG, expectTag, oidToString, readChildren, readTlv, readUint, readWhole, tlv } from '../asn1/der.js';
import { PqsignError } from '../base/errors.js';
import { SEED_BYTES, paramByOidDer, type ParamSet } from '../mldsa/params.js';
import { equalBytes } from '../base/bytes.js';
import { keygenFromSeed, publicKeyFromSecret } from '../mldsa/mldsa.js';
import { shake256Of } from '../mldsa/shake.js';
import { expandedKeyProblem } from './expanded-check.js';
import type { KeyForm, PrivateKey } from '../mldsa/keys.js';

export const WRITABLE_KEY_FORMS = ['seed', 'expanded', 'both'] as const;

const bad = (why: string) => new PqsignError('ERR_KEY_FORMAT', why);

export function parsePkcs8(der: Uint8Array): PrivateKey {
  const top = readChildren(readWhole(der, TAG.SEQUENCE, 'PrivateKeyInfo').value);
  const version = readUint(expectTag(top[0], TAG.INTEGER, 'version'), 'version');
  if (version !== 0 && version !== 1) throw bad(`unsupported PKCS#8 version ${version}`);
  const algId = readChildren(expectTag(top[1], TAG.SEQUENCE, 'privateKeyAlgorithm').value);
  const algOid = expectTag(algId[0], TAG.OID, 'algorithm OID').value;
  const params = paramByOidDer(algOid);
  if (!params) throw new PqsignError('ERR_ALGORITHM', `not an ML-DSA private key (algorithm ${oidToString(algOid)})`);
  if (algId.length !== 1) throw bad('ML-DSA AlgorithmIdentifier parameters must be absent (RFC 9881 §2)');
  const inner = expectTag(top[2], TAG.OCTET_STRING, 'privateKey').value;
  // optional attributes [0] and, in v2, publicKey [1] (checked below when present)
  let embeddedPub: Uint8Array | undefined;
  for (const t of top.slice(3)) {
    if (t.tag === 0xa0) continue;
    if (t.tag === 0x81 && version === 1) {
      if (t.value[0] !== 0) throw bad('publicKey BIT STRING has unused bits');
      embeddedPub = t.value.subarray(1);
      continue;
    }
    throw bad('unexpected field after privateKey');
  }
  const key = parseMlDsaPrivateKey(params, inner);
  if (embeddedPub && !equalBytes(embeddedPub, key.publicKey)) {
    throw new PqsignError('ERR_KEY_MISMATCH', 'the public key inside the PKCS#8 does not match the private key');
  }
  return key;
}

function parseMlDsaPrivateKey(params: ParamSet, inner: Uint8Array): PrivateKey {
  if (inner.length === SEED_BYTES) return fromSeed(params, inner, 'bare-seed');
  const t = readTlv(inner, 0);
  if (t.end !== inner.length) throw bad('trailing bytes after the ML-DSA private key');
  switch (t.tag) {
    case TAG.CTX0_PRIM: // seed [0]
      return fromSeed(params, checkSeed(t.value), 'seed');
    case TAG.OCTET_STRING: // expandedKey
      return fromExpanded(params, t.value);
    case TAG.SEQUENCE: {
      // both
      const [s, e, ...rest] = readChildren(t.value);
      if (rest.length) throw bad('"both" has extra fields');
      const seed = checkSeed(expectTag(s, TAG.OCTET_STRING, 'both.seed').value);
      const expanded = expectTag(e, TAG.OCTET_STRING, 'both.expandedKey').value;
      const fromS = fromSeed(params, seed, 'both');
      // RFC 9881 §6: a seed and an expanded key that disagree must be rejected.
      if (!equalBytes(fromS.secretKey, expanded)) {
        throw new PqsignError(
          'ERR_KEY_MISMATCH',
          'inconsistent private key: the expanded key does not match the one derived from the seed',
        );
      }
      return fromS;
    }
    default:
      throw bad(`unknown ML-DSA private key encoding (tag 0x${t.tag.toString(16)})`);
  }
}

function checkSeed(seed: Uint8Array): Uint8Array {
  if (seed.length !== SEED_BYTES) throw bad(`seed must be ${SEED_BYTES} bytes, got ${seed.length}`);
  return seed;
}

function fromSeed(params: ParamSet, seed: Uint8Array, form: KeyForm): PrivateKey {
  const kp = keygenFromSeed(params, seed);
  return { params, seed: Uint8Array.from(seed), secretKey: kp.secretKey, publicKey: kp.publicKey, form };
}

function fromExpanded(params: ParamSet, sk: Uint8Array): PrivateKey {
  return { params, seed: undefined, form: 'expanded', ...checkExpandedKey(params, sk) };
}

/**
 * An expanded key alone cannot be regenerated, but it is self-consistent only if tr (bytes 64..128,
 * FIPS 204 Algorithm 24 skEncode) equals H(pkEncode(ρ, t1), 64) for the pk derived from it, and t0
 * is what s1/s2 give (expanded-check.ts).
 */
export function checkExpandedKey(params: ParamSet, sk: Uint8Array): { secretKey: Uint8Array; publicKey: Uint8Array } {
  if (sk.length !== params.secretKeyBytes)
    throw bad(`${params.name} expanded key must be ${params.secretKeyBytes} bytes, got ${sk.length}`);
  let publicKey: Uint8Array;
  try {
    publicKey = publicKeyFromSecret(params, sk);
  } catch {
    throw bad(`${params.name} expanded key is malformed (coefficients out of range)`);
  }
  if (!equalBytes(shake256Of(publicKey, 64), sk.subarray(64, 128))) {
    throw new PqsignError('ERR_KEY_MISMATCH', `inconsistent ${params.name} expanded key: its tr does not match its public key`);
  }
  const problem = expandedKeyProblem(params, sk);
  if (problem) throw new PqsignError('ERR_KEY_MISMATCH', `inconsistent ${params.name} expanded key: ${problem}`);
  return { secretKey: Uint8Array.from(sk), publicKey };
}

export function encodePkcs8(key: PrivateKey, form: (typeof WRITABLE_KEY_FORMS)[number]): Uint8Array {
  let inner: Uint8Array;
  if (form === 'expanded') inner = tlv(TAG.OCTET_STRING, key.secretKey);
  else {
    if (!key.seed)
      throw new PqsignError('ERR_KEY_FORMAT', `cannot write the "${form}" form: this key has no seed (it was read in expanded form)`);
    inner =
      form === 'seed'
        ? tlv(TAG.CTX0_PRIM, key.seed)
        : tlv(TAG.SEQUENCE, tlv(TAG.OCTET_STRING, key.seed), tlv(TAG.OCTET_STRING, key.secretKey));
  }
  return tlv(
    TAG.SEQUENCE,
    Uint8Array.of(TAG.INTEGER, 1, 0),
    tlv(TAG.SEQUENCE, tlv(TAG.OID, key.params.oidDer)),
    tlv(TAG.OCTET_STRING, inner),
  );
}
