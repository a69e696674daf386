// GetPublicKey answers are checked before anything is signed: spec, usage, algorithm, and the SPKI's
// OID against the spec. Fed here with answers a misconfigured or misbehaving KMS could give.
import { describe, expect, it } from 'vitest';
import { keygenFromSeed } from '../../../src/mldsa/mldsa.js';
import { paramByName } from '../../../src/mldsa/params.js';
import { checkPublicKey } from '../../../src/kms/public-key.js';
import { encodeSpki } from '../../../src/mldsa/asn1.js';

const p65 = paramByName('65')!;
const p44 = paramByName('44')!;
const pk65 = keygenFromSeed(p65, new Uint8Array(32).fill(7)).publicKey;
const good: Parameters<typeof checkPublicKey>[0] = {
  KeyId: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  KeySpec: 'ML_DSA_65',
  KeyUsage: 'SIGN_VERIFY',
  SigningAlgorithms: ['ML_DSA_SHAKE_256'],
  PublicKey: encodeSpki(p65, pk65),
};
const REF = 'awskms:///alias/test';

describe('KMS GetPublicKey checks', () => {
  it('accepts an ML-DSA signing key and pins its ARN', () => {
    const k = checkPublicKey(good, REF);
    expect(k.params).toBe(p65);
    expect(Buffer.from(k.publicKey).equals(Buffer.from(pk65))).toBe(true);
    expect(k.keyArn).toBe(good.KeyId);
  });

  it.each([
    [{ KeySpec: 'ECC_NIST_P256' }, 'ERR_ALGORITHM', /key spec is ECC_NIST_P256, not ML_DSA_44/],
    [{ KeyUsage: 'ENCRYPT_DECRYPT' }, 'ERR_ALGORITHM', /key usage is ENCRYPT_DECRYPT, not SIGN_VERIFY/],
    [{ SigningAlgorithms: ['ECDSA_SHA_256'] }, 'ERR_ALGORITHM', /does not offer ML_DSA_SHAKE_256/],
    [{ KeySpec: 'ML_DSA_44' }, 'ERR_KMS', /an ML-DSA-65 public key, but the key spec is ML_DSA_44/],
    [
      { PublicKey: encodeSpki(p44, keygenFromSeed(p44, new Uint8Array(32)).publicKey) },
      'ERR_KMS',
      /an ML-DSA-44 public key, but the key spec is ML_DSA_65/,
    ],
    [{ PublicKey: new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]) }, 'ERR_KMS', /not an ML-DSA SubjectPublicKeyInfo/],
    [{ PublicKey: undefined }, 'ERR_KMS', /no public key/],
  ])('refuses %o', (change, code, why) => {
    let err: unknown;
    try {
      checkPublicKey({ ...good, ...change } as never, REF);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code, file: REF, message: expect.stringMatching(why) });
  });
});
