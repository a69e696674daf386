// Encrypted PKCS#8 (RFC 5958 EncryptedPrivateKeyInfo) with PBES2 (RFC 8018 §6.2): PBKDF2 + AES-CBC.
// Writes PBKDF2-HMAC-SHA256 / AES-256-CBC (OpenSSL's default); reads any HMAC-SHA1/224/256/384/512
// PRF and AES-128/192/256-CBC, which covers what OpenSSL and Bouncy Castle write.
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import { TAG, derUint, expectTag, oid, oidToString, readChildren, readUint, readWhole, tlv } from '../asn1/der.js';
import { PqsignError } from '../base/errors.js';

const OID = {
  PBES2: '1.2.840.113549.1.5.13',
  PBKDF2: '1.2.840.113549.1.5.12',
  HMAC: {
    '1.2.840.113549.2.7': 'sha1',
    '1.2.840.113549.2.8': 'sha224',
    '1.2.840.113549.2.9': 'sha256',
    '1.2.840.113549.2.10': 'sha384',
    '1.2.840.113549.2.11': 'sha512',
  } as Record<string, string>,
  AES_CBC: { '2.16.840.1.101.3.4.1.2': 16, '2.16.840.1.101.3.4.1.22': 24, '2.16.840.1.101.3.4.1.42': 32 } as Record<string, number>,
};

/** Iterations for keys we write: OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
export const PBKDF2_ITERATIONS = 600_000;
const MAX_ITERATIONS = 10_000_000; // refuse absurd counts that would hang the CLI

export function encryptPkcs8(pkcs8: Uint8Array, passphrase: string, iterations = PBKDF2_ITERATIONS): Uint8Array {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(passphrase, 'utf8'), salt, iterations, 32, 'sha256');
  const c = createCipheriv('aes-256-cbc', key, iv);
  const enc = Buffer.concat([c.update(pkcs8), c.final()]);
  const kdf = tlv(
    TAG.SEQUENCE,
    oid(OID.PBKDF2),
    tlv(TAG.SEQUENCE, tlv(TAG.OCTET_STRING, salt), derUint(iterations), tlv(TAG.SEQUENCE, oid('1.2.840.113549.2.9'), tlv(TAG.NULL))),
  );
  const scheme = tlv(TAG.SEQUENCE, oid('2.16.840.1.101.3.4.1.42'), tlv(TAG.OCTET_STRING, iv));
  const algo = tlv(TAG.SEQUENCE, oid(OID.PBES2), tlv(TAG.SEQUENCE, kdf, scheme));
  return tlv(TAG.SEQUENCE, algo, tlv(TAG.OCTET_STRING, enc));
}

const fmt = (why: string) => new PqsignError('ERR_KEY_FORMAT', `encrypted private key: ${why}`);

export function decryptPkcs8(der: Uint8Array, passphrase: string): Uint8Array {
  const [algo, data] = readChildren(readWhole(der, TAG.SEQUENCE, 'EncryptedPrivateKeyInfo').value);
  const [algOid, params] = readChildren(expectTag(algo, TAG.SEQUENCE, 'encryptionAlgorithm').value);
  if (oidToString(expectTag(algOid, TAG.OID, 'algorithm').value) !== OID.PBES2) throw fmt('only PBES2 is supported');
  const [kdf, scheme] = readChildren(expectTag(params, TAG.SEQUENCE, 'PBES2-params').value);
  const [kdfOid, kdfParams] = readChildren(expectTag(kdf, TAG.SEQUENCE, 'keyDerivationFunc').value);
  if (oidToString(expectTag(kdfOid, TAG.OID, 'kdf').value) !== OID.PBKDF2) throw fmt('only PBKDF2 is supported');
  const kp = readChildren(expectTag(kdfParams, TAG.SEQUENCE, 'PBKDF2-params').value);
  const salt = expectTag(kp[0], TAG.OCTET_STRING, 'salt').value;
  const iterations = readUint(kp[1]!, 'iterationCount');
  if (iterations < 1 || iterations > MAX_ITERATIONS) throw fmt(`iteration count ${iterations} out of range`);
  let i = 2;
  let keyLength: number | undefined;
  if (kp[i]?.tag === TAG.INTEGER) keyLength = readUint(kp[i++]!, 'keyLength');
  let prf = 'sha1'; // RFC 8018 default
  if (kp[i]) {
    const [prfOid] = readChildren(expectTag(kp[i], TAG.SEQUENCE, 'prf').value);
    const name = OID.HMAC[oidToString(expectTag(prfOid, TAG.OID, 'prf').value)];
    if (!name) throw fmt('unsupported PBKDF2 PRF');
    prf = name;
  }
  const [encOid, ivT] = readChildren(expectTag(scheme, TAG.SEQUENCE, 'encryptionScheme').value);
  const keyBytes = OID.AES_CBC[oidToString(expectTag(encOid, TAG.OID, 'cipher').value)];
  if (!keyBytes) throw fmt('only AES-CBC encryption is supported');
  if (keyLength !== undefined && keyLength !== keyBytes) throw fmt('keyLength does not match the cipher');
  const iv = expectTag(ivT, TAG.OCTET_STRING, 'iv').value;
  if (iv.length !== 16) throw fmt('AES-CBC IV must be 16 bytes');
  const ct = expectTag(data, TAG.OCTET_STRING, 'encryptedData').value;
  const key = pbkdf2Sync(Buffer.from(passphrase, 'utf8'), salt, iterations, keyBytes, prf);
  try {
    const d = createDecipheriv(`aes-${keyBytes * 8}-cbc`, key, iv);
    return new Uint8Array(Buffer.concat([d.update(ct), d.final()]));
  } catch {
    // A bad padding is what a wrong passphrase looks like with CBC.
    throw new PqsignError('ERR_PASSPHRASE', 'wrong passphrase (decryption failed)');
  }
}
