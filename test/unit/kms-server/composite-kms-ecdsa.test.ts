// The traditional part of a composite key in KMS: the local server's ECC_NIST_P256/P384/P521 keys through
// the real @aws-sdk/client-kms over HTTP (GetPublicKey SPKI, ECDSA_SHA_* over RAW and DIGEST, AWS's errors,
// keys surviving a restart). Composite signing with such keys is test/unit/kms/composite-kms-ecdsa.test.ts.
import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GetPublicKeyCommand, SignCommand, VerifyCommand } from '@aws-sdk/client-kms';
import { startKmsServer } from '../../../src/kms-server/index.js';
import { flipByte, tempDir } from '../../support/helpers.js';
import { CREDENTIAL, REGION, kmsError, startTestKms } from '../../support/kms-fixture.js';

const dir = tempDir('pqsign-kms-ecdsa-server-');
const kms = await startTestKms({ dataDir: join(dir, 'kms') });
const client = kms.client();

const CASES = [
  ['ECC_NIST_P256', 'prime256v1', 'ECDSA_SHA_256', 'sha256'],
  ['ECC_NIST_P384', 'secp384r1', 'ECDSA_SHA_384', 'sha384'],
  ['ECC_NIST_P521', 'secp521r1', 'ECDSA_SHA_512', 'sha512'],
] as const;

describe('local KMS ECC signing keys', () => {
  it.each(CASES)('%s: SPKI on %s; %s over RAW and DIGEST verifies with OpenSSL and with KMS Verify', async (spec, curve, alg, hash) => {
    const arn = await kms.createKey(spec);
    const pub = await client.send(new GetPublicKeyCommand({ KeyId: arn }));
    expect(pub.KeySpec).toBe(spec);
    expect(pub.SigningAlgorithms).toEqual([alg]);
    const key = createPublicKey({ key: Buffer.from(pub.PublicKey!), format: 'der', type: 'spki' });
    expect(key.asymmetricKeyDetails?.namedCurve).toBe(curve);
    const message = Buffer.from("composite M' stands here");
    const digest = createHash(hash).update(message).digest();
    for (const [MessageType, Message] of [
      ['RAW', message],
      ['DIGEST', digest],
    ] as const) {
      const out = await client.send(new SignCommand({ KeyId: arn, Message, MessageType, SigningAlgorithm: alg }));
      expect(out.SigningAlgorithm).toBe(alg);
      expect(nodeVerify(hash, message, { key, dsaEncoding: 'der' }, out.Signature!)).toBe(true);
      const ok = await client.send(
        new VerifyCommand({ KeyId: arn, Message, MessageType, SigningAlgorithm: alg, Signature: out.Signature }),
      );
      expect(ok.SignatureValid).toBe(true);
      const bad = Buffer.from(out.Signature!);
      flipByte(bad, bad.length - 1);
      expect(
        (await kmsError(client.send(new VerifyCommand({ KeyId: arn, Message, MessageType, SigningAlgorithm: alg, Signature: bad })))).name,
      ).toBe('KMSInvalidSignatureException');
    }
  });

  it('refuses what AWS refuses: wrong algorithm for the key spec, wrong digest length, EXTERNAL_MU, RAW over 4096 bytes', async () => {
    const ec = await kms.createKey('ECC_NIST_P256');
    const ml = await kms.createKey('ML_DSA_65');
    const sign = (
      KeyId: string,
      Message: Uint8Array,
      MessageType: 'RAW' | 'DIGEST' | 'EXTERNAL_MU',
      SigningAlgorithm: 'ECDSA_SHA_256' | 'ECDSA_SHA_384' | 'ML_DSA_SHAKE_256',
    ) => kmsError(client.send(new SignCommand({ KeyId, Message, MessageType, SigningAlgorithm })));
    expect((await sign(ec, new Uint8Array(32), 'DIGEST', 'ECDSA_SHA_384')).name).toBe('InvalidKeyUsageException');
    expect((await sign(ec, new Uint8Array(32), 'RAW', 'ML_DSA_SHAKE_256')).name).toBe('InvalidKeyUsageException');
    expect((await sign(ml, new Uint8Array(32), 'DIGEST', 'ECDSA_SHA_256')).name).toBe('InvalidKeyUsageException');
    const short = await sign(ec, new Uint8Array(48), 'DIGEST', 'ECDSA_SHA_256');
    expect(short).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(short.message).toMatch(/Digest is invalid length for algorithm ECDSA_SHA_256/);
    expect((await sign(ec, new Uint8Array(64), 'EXTERNAL_MU', 'ECDSA_SHA_256')).name).toBe('ValidationException');
    expect((await sign(ec, new Uint8Array(4097), 'RAW', 'ECDSA_SHA_256')).name).toBe('ValidationException');
    expect((await sign(ml, new Uint8Array(32), 'DIGEST', 'ML_DSA_SHAKE_256')).name).toBe('ValidationException');
  });

  it('an ECC key persists: after a restart on the same data dir it has the same public key and still signs', async () => {
    const arn = await kms.createKey('ECC_NIST_P384', 'alias/persist-ec');
    const before = await client.send(new GetPublicKeyCommand({ KeyId: arn }));
    const again = await startKmsServer({ credential: CREDENTIAL, region: REGION, dataDir: join(dir, 'kms') });
    try {
      const { KMSClient } = await import('@aws-sdk/client-kms');
      const c2 = new KMSClient({ endpoint: again.url, region: REGION, credentials: CREDENTIAL });
      const after = await c2.send(new GetPublicKeyCommand({ KeyId: 'alias/persist-ec' }));
      expect(Buffer.from(after.PublicKey!).equals(Buffer.from(before.PublicKey!))).toBe(true);
      const s = await c2.send(
        new SignCommand({ KeyId: arn, Message: Buffer.from('x'), MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_384' }),
      );
      const key = createPublicKey({ key: Buffer.from(after.PublicKey!), format: 'der', type: 'spki' });
      expect(nodeVerify('sha384', Buffer.from('x'), { key, dsaEncoding: 'der' }, s.Signature!)).toBe(true);
      c2.destroy();
    } finally {
      await again.close();
    }
  });
});
