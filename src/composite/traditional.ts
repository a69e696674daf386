// The traditional component of a composite key, with node:crypto (OpenSSL): its raw encodings as the draft
// fixes them (§5: EC public key = uncompressed point, EC private key = RFC 5915 ECPrivateKey with the curve
// and without the public key, RSA = PKCS#1 RSAPublicKey / RSAPrivateKey, EdDSA = RFC 8032 raw bytes),
// key generation, signing and verifying. OpenSSL does every curve and padding here; no library needed.
import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { TAG, derUint, expectTag, oid, readChildren, readWhole, tlv } from '../asn1/der.js';
import { concatBytes } from '../base/bytes.js';
import type { Traditional } from './params.js';
import { PqsignError, isPqsignError } from '../base/errors.js';

const bad = (why: string) => new PqsignError('ERR_KEY_FORMAT', why);
const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

// SPKI / PKCS#8 headers of the EdDSA keys (RFC 8410), in front of the raw key bytes
const ED_SPKI = { ed25519: '302a300506032b6570032100', ed448: '3043300506032b6571033a00' } as const;
const ED_PKCS8 = { ed25519: '302e020100300506032b657004220420', ed448: '3047020100300506032b6571043b0439' } as const;
const hex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const ecSpkiAlg = (curveOid: string) => tlv(TAG.SEQUENCE, oid('1.2.840.10045.2.1'), oid(curveOid));

/** Raw traditional public key → KeyObject; OpenSSL checks the point is on the curve / the modulus parses. */
export function tradPublicKey(t: Traditional, raw: Uint8Array): KeyObject {
  try {
    switch (t.kind) {
      case 'ecdsa':
        if (raw.length !== t.publicKeyBytes || raw[0] !== 4)
          throw bad(`${t.curve} public key must be a ${t.publicKeyBytes}-byte uncompressed point`);
        return createPublicKey({
          key: Buffer.from(tlv(TAG.SEQUENCE, ecSpkiAlg(t.curveOid), tlv(TAG.BIT_STRING, Uint8Array.of(0), raw))),
          format: 'der',
          type: 'spki',
        });
      case 'ed25519':
      case 'ed448':
        if (raw.length !== t.publicKeyBytes) throw bad(`${t.kind} public key must be ${t.publicKeyBytes} bytes`);
        return createPublicKey({ key: Buffer.from(concatBytes(hex(ED_SPKI[t.kind]), raw)), format: 'der', type: 'spki' });
      default: {
        const k = createPublicKey({ key: Buffer.from(raw), format: 'der', type: 'pkcs1' });
        if (k.asymmetricKeyDetails?.modulusLength !== t.bits) throw bad(`RSA public key must be ${t.bits} bits`);
        return k;
      }
    }
  } catch (e) {
    throw isPqsignError(e) ? e : bad(`traditional public key is malformed (${(e as Error).message})`);
  }
}

/** Raw traditional private key → KeyObject. */
export function tradPrivateKey(t: Traditional, raw: Uint8Array): KeyObject {
  try {
    switch (t.kind) {
      case 'ecdsa': {
        // ECPrivateKey { version 1, privateKey, [0] parameters } naming this algorithm's curve
        const f = readChildren(readWhole(raw, TAG.SEQUENCE, 'ECPrivateKey').value);
        const params = f.find((x) => x.tag === TAG.CTX0_CONS);
        if (!params || !equalDer(params.value, oid(t.curveOid))) throw bad(`ECPrivateKey must name the curve ${t.curve}`);
        return createPrivateKey({ key: Buffer.from(raw), format: 'der', type: 'sec1' });
      }
      case 'ed25519':
      case 'ed448':
        if (raw.length !== t.publicKeyBytes) throw bad(`${t.kind} private key must be ${t.publicKeyBytes} bytes`);
        return createPrivateKey({ key: Buffer.from(concatBytes(hex(ED_PKCS8[t.kind]), raw)), format: 'der', type: 'pkcs8' });
      default: {
        const k = createPrivateKey({ key: Buffer.from(raw), format: 'der', type: 'pkcs1' });
        if (k.asymmetricKeyDetails?.modulusLength !== t.bits) throw bad(`RSA private key must be ${t.bits} bits`);
        return k;
      }
    }
  } catch (e) {
    throw isPqsignError(e) ? e : bad(`traditional private key is malformed (${(e as Error).message})`);
  }
}

const equalDer = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

/** KeyObject → the draft's raw public key. */
export function rawTradPublicKey(t: Traditional, key: KeyObject): Uint8Array {
  if (!('publicKeyBytes' in t)) return u8(key.export({ format: 'der', type: 'pkcs1' })); // RSA
  const spki = u8(key.export({ format: 'der', type: 'spki' }));
  return spki.slice(spki.length - t.publicKeyBytes); // the BIT STRING ends the SPKI
}

/** KeyObject → the draft's raw private key (ECPrivateKey without the optional public key). */
export function rawTradPrivateKey(t: Traditional, key: KeyObject): Uint8Array {
  switch (t.kind) {
    case 'ecdsa': {
      const f = readChildren(readWhole(u8(key.export({ format: 'der', type: 'sec1' })), TAG.SEQUENCE, 'ECPrivateKey').value);
      const d = expectTag(f[1], TAG.OCTET_STRING, 'privateKey').value;
      return tlv(TAG.SEQUENCE, derUint(1), tlv(TAG.OCTET_STRING, d), tlv(TAG.CTX0_CONS, oid(t.curveOid)));
    }
    case 'ed25519':
    case 'ed448': {
      const p8 = u8(key.export({ format: 'der', type: 'pkcs8' }));
      return p8.slice(p8.length - t.publicKeyBytes);
    }
    default:
      return u8(key.export({ format: 'der', type: 'pkcs1' }));
  }
}

export function generateTradKey(t: Traditional): KeyObject {
  switch (t.kind) {
    case 'ecdsa':
      return generateKeyPairSync('ec', { namedCurve: t.curve }).privateKey;
    case 'ed25519':
      return generateKeyPairSync('ed25519').privateKey;
    case 'ed448':
      return generateKeyPairSync('ed448').privateKey;
    default:
      return generateKeyPairSync('rsa', { modulusLength: t.bits, publicExponent: 65537 }).privateKey;
  }
}

/** How node:crypto signs M' for this component: ECDSA DER, RSA-PSS with salt = hash length (RFC 8017), EdDSA pure. */
function options(t: Traditional, key: KeyObject) {
  switch (t.kind) {
    case 'ecdsa':
      return { hash: t.hash, key: { key, dsaEncoding: 'der' as const } };
    case 'ed25519':
    case 'ed448':
      return { hash: null, key };
    case 'rsa-pss':
      return { hash: t.hash, key: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: t.hash === 'sha256' ? 32 : 48 } };
    default:
      return { hash: t.hash, key: { key, padding: constants.RSA_PKCS1_PADDING } };
  }
}

export function tradSign(t: Traditional, key: KeyObject, message: Uint8Array): Uint8Array {
  const o = options(t, key);
  return u8(sign(o.hash, message, o.key));
}

export function tradVerify(t: Traditional, key: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length > t.maxSignatureBytes) return false;
  const o = options(t, key);
  try {
    return verify(o.hash, message, o.key, signature);
  } catch {
    return false; // malformed DER and the like: not a valid signature
  }
}
