// The traditional part of a composite key in KMS: the local server's ECC_NIST_P256/P384/P521 keys through
// the real @aws-sdk/client-kms over HTTP (GetPublicKey SPKI, ECDSA_SHA_* over RAW and DIGEST, AWS's errors,
// keys surviving a restart), and `--key 'awskms://…/alias/mldsa+awskms://…/alias/ecdsa'` signing
// composites that pqsign and Bouncy Castle 1.86 verify.
import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GetPublicKeyCommand, SignCommand, VerifyCommand } from '@aws-sdk/client-kms';
import { startKmsServer } from '../../src/kms-server/index.js';
import { HAVE_SHARED, NO_SHARED, oracle, pqsign, pqsignAsync, tempDir } from '../support/helpers.js';
import { CREDENTIAL, REGION, kmsError, startTestKms } from '../support/kms-fixture.js';

const dir = tempDir('pqsign-kms-ecdsa-');
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
      bad[bad.length - 1] ^= 1;
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

describe('composite with both parts in KMS', () => {
  const msg = join(dir, 'fw.bin');
  writeFileSync(msg, Buffer.alloc(200_000, 7));

  it('ML_DSA_65 + ECC_NIST_P256 sign MLDSA65-ECDSA-P256-SHA512 (EXTERNAL_MU + DIGEST); pqsign and Bouncy Castle verify', async () => {
    await kms.createKey('ML_DSA_65', 'alias/fw-mldsa');
    await kms.createKey('ECC_NIST_P256', 'alias/fw-ecdsa');
    const ref = `${kms.ref('alias/fw-mldsa')}+${kms.ref('alias/fw-ecdsa')}`;
    const sig = join(dir, 'fw.sig');
    const s = await pqsignAsync(['sign', msg, '--key', ref, '--alg', 'MLDSA65-ECDSA-P256-SHA512', '--out', sig, '--json'], {
      env: kms.env,
    });
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout).algorithm).toBe('MLDSA65-ECDSA-P256-SHA512');
    expect(kms.log.some((l) => l.startsWith('Sign EXTERNAL_MU 200'))).toBe(true);
    expect(kms.log.some((l) => l.startsWith('Sign DIGEST 200'))).toBe(true);
    const spki = join(dir, 'fw-composite.pub');
    const p = await pqsignAsync(['pubkey', '--key', ref, '--out', spki], { env: kms.env });
    expect(p.code, p.stderr).toBe(0);
    expect(pqsign(['verify', msg, '--sig', sig, '--key', spki]).code).toBe(0);
    const tampered = join(dir, 'fw-tampered.bin');
    writeFileSync(tampered, Buffer.concat([Buffer.alloc(200_000, 7), Buffer.of(0)]));
    expect(pqsign(['verify', tampered, '--sig', sig, '--key', spki]).code).toBe(1);
  });

  it.skipIf(!HAVE_SHARED)(`Bouncy Castle 1.86 verifies it (${HAVE_SHARED ? 'oracle --impl bc186' : NO_SHARED})`, () => {
    const r = oracle(['--impl', 'bc186', 'verify', 'MLDSA65-ECDSA-P256-SHA512', join(dir, 'fw-composite.pub'), join(dir, 'fw.sig'), msg]);
    expect(r.ok, r.stderr).toBe(true);
  });

  it('`pqsign kms create-key --spec ECC_NIST_P384` makes the key; describe and list show its ECDSA algorithm', async () => {
    const c = await pqsignAsync(
      ['kms', 'create-key', '--spec', 'ECC_NIST_P384', '--alias', 'alias/cli-p384', '--endpoint', kms.authority, '--json'],
      { env: kms.env },
    );
    expect(c.code, c.stderr).toBe(0);
    expect(JSON.parse(c.stdout)).toMatchObject({
      keySpec: 'ECC_NIST_P384',
      algorithm: 'ECDSA_SHA_384',
      signingAlgorithms: ['ECDSA_SHA_384'],
      keyFingerprint: null,
    });
    const l = await pqsignAsync(['kms', 'list', '--endpoint', kms.authority], { env: kms.env });
    expect(l.code, l.stderr).toBe(0);
    expect(l.stdout).toMatch(/ECDSA_SHA_384 .*alias\/cli-p384/);
    const bad = await pqsignAsync(['kms', 'create-key', '--spec', 'ECC_SECG_P256K1', '--endpoint', kms.authority], { env: kms.env });
    expect(bad.code).toBe(2);
  });

  it('a KMS key that does not fit the composite is refused before signing (exit 2), nothing written', async () => {
    await kms.createKey('ECC_NIST_P384', 'alias/fw-p384');
    const out = join(dir, 'never.sig');
    const wrong = await pqsignAsync(
      [
        'sign',
        msg,
        '--key',
        `${kms.ref('alias/fw-mldsa')}+${kms.ref('alias/fw-p384')}`,
        '--alg',
        'MLDSA65-ECDSA-P256-SHA512',
        '--out',
        out,
      ],
      { env: kms.env },
    );
    expect(wrong.code, wrong.stderr).toBe(2);
    // an ML-DSA key as the traditional part is not an ECC key
    const notEcc = await pqsignAsync(['sign', msg, '--key', `${kms.ref('alias/fw-mldsa')}+${kms.ref('alias/fw-mldsa')}`, '--out', out], {
      env: kms.env,
    });
    expect(notEcc.code, notEcc.stderr).toBe(2);
    expect(notEcc.stderr).toMatch(/ECC_NIST_P256/);
    expect(existsSync(out)).toBe(false);
  });

  it('a KMS answering an ECDSA signature that does not verify (a tampering endpoint) is caught: exit 3, nothing written', async () => {
    // a proxy in front of the local KMS that flips a bit in every DIGEST signature it relays
    const proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const tamper = String(req.headers['x-amz-target']).endsWith('.Sign') && JSON.parse(body.toString()).MessageType === 'DIGEST';
        const up = request(kms.server.url, { method: req.method, path: req.url, headers: req.headers }, (r) => {
          const out: Buffer[] = [];
          r.on('data', (c: Buffer) => out.push(c));
          r.on('end', () => {
            let text = Buffer.concat(out).toString();
            if (tamper && r.statusCode === 200) {
              const j = JSON.parse(text);
              const sig = Buffer.from(j.Signature, 'base64');
              sig[sig.length - 1] ^= 1;
              text = JSON.stringify({ ...j, Signature: sig.toString('base64') });
            }
            res.writeHead(r.statusCode!, { ...r.headers, 'content-length': Buffer.byteLength(text) });
            res.end(text);
          });
        });
        up.end(body);
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const at = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const out = join(dir, 'tampered.sig');
      const r = await pqsignAsync(['sign', msg, '--key', `awskms://${at}/alias/fw-mldsa+awskms://${at}/alias/fw-ecdsa`, '--out', out], {
        env: kms.env,
      });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/does not verify against its public key; nothing was written/);
      expect(existsSync(out)).toBe(false);
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
