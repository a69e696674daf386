// The local KMS through the unmodified @aws-sdk/client-kms over HTTP: operations, KMS's errors,
// SigV4 authentication, persistence and fault injection. Signatures are checked offline here and
// by ../shared's oracles (implementations nobody here wrote).
import { readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createHash, createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  GetPublicKeyCommand,
  ListAliasesCommand,
  ListKeysCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  VerifyCommand,
  type CreateKeyCommandInput,
  type KMSClient,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-kms';
import type { FinalizeRequestMiddleware, HttpRequest } from '@smithy/types';
import { encodePem } from '../../../src/asn1/pem.js';
import { parseSpki } from '../../../src/keys/spki.js';
import { verifyMu } from '../../../src/mldsa/mldsa.js';
import { computeMu } from '../../../src/mldsa/mu.js';
import { paramByKmsSpec } from '../../../src/mldsa/params.js';
import { startKmsServer } from '../../../src/kms-server/index.js';
import { CREDENTIAL, kmsError, REGION, startTestKms } from '../../support/kms-fixture.js';
import { flipByte, HAVE_SHARED, NO_SHARED, oracle, tempDir } from '../../support/helpers.js';

const ALG = 'ML_DSA_SHAKE_256' as const;
const mu64 = (fill: number) => new Uint8Array(64).fill(fill);

async function publicKeyOf(client: KMSClient, keyId: string) {
  const out = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
  return { out, key: parseSpki(out.PublicKey!) };
}

describe('local KMS: keys and signatures', async () => {
  const kms = await startTestKms();
  const c = kms.client({ maxAttempts: 1 });

  it.each(['ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87'] as const)('creates %s keys that sign RAW and EXTERNAL_MU, hedged', async (spec) => {
    const created = await c.send(
      new CreateKeyCommand({
        KeySpec: spec,
        KeyUsage: 'SIGN_VERIFY',
        Description: `test ${spec}`,
        Tags: [{ TagKey: 'team', TagValue: 'fw' }],
      }),
    );
    const meta = created.KeyMetadata!;
    expect(meta).toMatchObject({
      AWSAccountId: '111122223333',
      KeySpec: spec,
      CustomerMasterKeySpec: spec,
      KeyUsage: 'SIGN_VERIFY',
      KeyState: 'Enabled',
      Enabled: true,
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      SigningAlgorithms: [ALG],
      MultiRegion: false,
      Description: `test ${spec}`,
    });
    expect(meta.Arn).toBe(`arn:aws:kms:${REGION}:111122223333:key/${meta.KeyId}`);
    expect(meta.KeyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(meta.CreationDate).toBeInstanceOf(Date);

    const params = paramByKmsSpec(spec)!;
    const { out, key } = await publicKeyOf(c, meta.KeyId!);
    expect(out).toMatchObject({ KeyId: meta.Arn, KeySpec: spec, KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: [ALG] });
    expect(key.params).toBe(params); // the SPKI OID matches the spec (RFC 9881)

    const message = new TextEncoder().encode(`firmware for ${spec}`);
    const raw = await c.send(new SignCommand({ KeyId: meta.KeyId, Message: message, MessageType: 'RAW', SigningAlgorithm: ALG }));
    expect(raw).toMatchObject({ KeyId: meta.Arn, SigningAlgorithm: ALG });
    expect(raw.Signature!.length).toBe(params.signatureBytes);
    const mu = computeMu(params, key.publicKey, message);
    expect(verifyMu(params, key.publicKey, mu, raw.Signature!)).toBe(true); // RAW = pure ML-DSA, empty context

    const ext1 = await c.send(new SignCommand({ KeyId: meta.Arn, Message: mu, MessageType: 'EXTERNAL_MU', SigningAlgorithm: ALG }));
    const ext2 = await c.send(new SignCommand({ KeyId: meta.Arn, Message: mu, MessageType: 'EXTERNAL_MU', SigningAlgorithm: ALG }));
    expect(verifyMu(params, key.publicKey, mu, ext1.Signature!)).toBe(true);
    expect(verifyMu(params, key.publicKey, mu, ext2.Signature!)).toBe(true);
    expect(Buffer.from(ext1.Signature!).equals(Buffer.from(ext2.Signature!))).toBe(false); // hedged, like KMS

    const v = await c.send(
      new VerifyCommand({ KeyId: meta.KeyId, Message: message, MessageType: 'RAW', Signature: ext1.Signature, SigningAlgorithm: ALG }),
    );
    expect(v).toMatchObject({ KeyId: meta.Arn, SignatureValid: true, SigningAlgorithm: ALG });
  });

  it.skipIf(!HAVE_SHARED)('signs what three independent ML-DSA implementations accept (RAW and EXTERNAL_MU with a context)', async () => {
    const dir = tempDir();
    for (const spec of ['ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87'] as const) {
      const arn = await kms.createKey(spec);
      const { out, key } = await publicKeyOf(c, arn);
      const pub = join(dir, `${spec}.pub.pem`);
      writeFileSync(pub, encodePem('PUBLIC KEY', out.PublicKey!));
      const msg = join(dir, `${spec}.msg`);
      const message = new TextEncoder().encode(`oracle check ${spec}`);
      writeFileSync(msg, message);
      const raw = await c.send(new SignCommand({ KeyId: arn, Message: message, MessageType: 'RAW', SigningAlgorithm: ALG }));
      writeFileSync(join(dir, `${spec}.raw.sig`), raw.Signature!);
      const r1 = oracle(['verify', key.params.name, pub, join(dir, `${spec}.raw.sig`), msg]);
      expect(r1.ok, r1.stdout + r1.stderr).toBe(true);
      const ctx = new TextEncoder().encode('pqsign/kms-test');
      const mu = computeMu(key.params, key.publicKey, message, ctx);
      const ext = await c.send(new SignCommand({ KeyId: arn, Message: mu, MessageType: 'EXTERNAL_MU', SigningAlgorithm: ALG }));
      writeFileSync(join(dir, `${spec}.mu.sig`), ext.Signature!);
      const r2 = oracle(['verify', key.params.name, pub, join(dir, `${spec}.mu.sig`), msg, Buffer.from(ctx).toString('hex')]);
      expect(r2.ok, r2.stdout + r2.stderr).toBe(true);
      expect(r2.stdout.match(/valid/g)?.length).toBe(3);
    }
  });
  if (!HAVE_SHARED) it.skip(NO_SHARED, () => undefined);

  it('answers bad Sign and Verify requests as KMS does', async () => {
    const arn = await kms.createKey('ML_DSA_65');
    const sign = (input: Partial<ConstructorParameters<typeof SignCommand>[0]>) =>
      kmsError(c.send(new SignCommand({ KeyId: arn, Message: mu64(1), MessageType: 'EXTERNAL_MU', SigningAlgorithm: ALG, ...input })));
    expect(await sign({ Message: new Uint8Array(4097), MessageType: 'RAW' })).toEqual({
      name: 'ValidationException',
      status: 400,
      message:
        "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096",
    });
    expect(await sign({ Message: new Uint8Array(0), MessageType: 'RAW' })).toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('greater than or equal to 1'),
    });
    expect(await sign({ Message: new Uint8Array(63) })).toMatchObject({
      name: 'ValidationException',
      message: 'External Mu is invalid length for algorithm ML_DSA_SHAKE_256.',
    });
    expect(await sign({ Message: new Uint8Array(65) })).toMatchObject({ name: 'ValidationException' });
    expect(await sign({ MessageType: 'DIGEST' })).toMatchObject({
      name: 'ValidationException',
      message: 'Message type DIGEST is incompatible with key spec ML_DSA_65.',
    });
    expect(await sign({ SigningAlgorithm: 'ECDSA_SHA_256' })).toMatchObject({ name: 'InvalidKeyUsageException' });
    expect(await sign({ SigningAlgorithm: 'NOPE' as never })).toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set"),
    });
    expect(await sign({ SigningAlgorithm: undefined })).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value null at 'signingAlgorithm' failed to satisfy constraint: Member must not be null",
    });
    expect(await sign({ DryRun: true })).toEqual({
      name: 'DryRunOperationException',
      status: 412,
      message: 'The request would have succeeded, but the DryRun option is set.',
    });

    const sig = (await c.send(new SignCommand({ KeyId: arn, Message: mu64(1), MessageType: 'EXTERNAL_MU', SigningAlgorithm: ALG })))
      .Signature!;
    const bad = flipByte(Uint8Array.from(sig), 100);
    const verify = (signature: Uint8Array, message = mu64(1)) =>
      kmsError(
        c.send(
          new VerifyCommand({ KeyId: arn, Message: message, MessageType: 'EXTERNAL_MU', Signature: signature, SigningAlgorithm: ALG }),
        ),
      );
    // Never SignatureValid: false: an invalid signature is KMSInvalidSignatureException, with no message.
    expect(await verify(bad)).toMatchObject({ name: 'KMSInvalidSignatureException', status: 400 });
    expect(await verify(sig, mu64(2))).toMatchObject({ name: 'KMSInvalidSignatureException' });
    expect(await verify(sig.subarray(0, 100))).toMatchObject({ name: 'KMSInvalidSignatureException' });
  });

  it('refuses what is not an ML-DSA signing key the way KMS refuses', async () => {
    const create = (input: CreateKeyCommandInput) => kmsError(c.send(new CreateKeyCommand(input)));
    expect(await create({ KeySpec: 'ML_DSA_65' })).toMatchObject({
      name: 'ValidationException',
      message: 'You must specify a KeyUsage value for an asymmetric KMS key.',
    });
    expect(await create({ KeySpec: 'ML_DSA_65', KeyUsage: 'ENCRYPT_DECRYPT' })).toMatchObject({
      name: 'ValidationException',
      message: 'KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec ML_DSA_65.',
    });
    expect(await create({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })).toMatchObject({ name: 'UnsupportedOperationException' });
    expect(await create({})).toMatchObject({
      name: 'UnsupportedOperationException',
      message: expect.stringContaining('SYMMETRIC_DEFAULT'),
    });
    expect(await create({ KeySpec: 'ML_DSA_99' as never, KeyUsage: 'SIGN_VERIFY' })).toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(
        /^1 validation error detected: Value 'ML_DSA_99' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: \[.*ML_DSA_65.*\]$/,
      ),
    });
    expect(await create({ KeySpec: 'ML_DSA_65', KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL' })).toMatchObject({
      name: 'UnsupportedOperationException',
    });
    expect(
      await create({
        KeySpec: 'ML_DSA_65',
        KeyUsage: 'SIGN_VERIFY',
        Tags: [
          { TagKey: 'a', TagValue: '1' },
          { TagKey: 'a', TagValue: '2' },
        ],
      }),
    ).toMatchObject({ name: 'TagException' });
  });

  it('resolves key ids, key ARNs, aliases and alias ARNs; unknown ones are NotFoundException', async () => {
    const arn = await kms.createKey('ML_DSA_44', 'alias/resolve-me');
    const keyId = arn.split('/')[1]!;
    for (const ref of [keyId, arn, 'alias/resolve-me', `arn:aws:kms:${REGION}:111122223333:alias/resolve-me`]) {
      expect((await c.send(new DescribeKeyCommand({ KeyId: ref }))).KeyMetadata!.Arn).toBe(arn);
    }
    expect(await kmsError(c.send(new DescribeKeyCommand({ KeyId: 'alias/nope' })))).toMatchObject({
      name: 'NotFoundException',
      message: `Alias arn:aws:kms:${REGION}:111122223333:alias/nope is not found.`,
    });
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(await kmsError(c.send(new GetPublicKeyCommand({ KeyId: missing })))).toMatchObject({
      name: 'NotFoundException',
      message: `Key 'arn:aws:kms:${REGION}:111122223333:key/${missing}' does not exist`,
    });
    expect(await kmsError(c.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:eu-west-1:111122223333:key/${keyId}` })))).toMatchObject({
      name: 'NotFoundException',
    });
    expect(await kmsError(c.send(new DescribeKeyCommand({ KeyId: 'release-key' })))).toMatchObject({
      name: 'NotFoundException',
      message: 'Invalid keyId release-key',
    });
    expect(await kmsError(c.send(new DescribeKeyCommand({ KeyId: '' })))).toMatchObject({ name: 'ValidationException' });
  });

  it('disables and enables keys; schedules and cancels deletion', async () => {
    const arn = await kms.createKey('ML_DSA_65', 'alias/lifecycle');
    const signWith = (keyId = 'alias/lifecycle') =>
      c.send(new SignCommand({ KeyId: keyId, Message: mu64(3), MessageType: 'EXTERNAL_MU', SigningAlgorithm: ALG }));
    await c.send(new DisableKeyCommand({ KeyId: arn }));
    expect(await kmsError(signWith())).toEqual({ name: 'DisabledException', status: 400, message: `${arn} is disabled.` });
    expect(await kmsError(c.send(new GetPublicKeyCommand({ KeyId: arn })))).toMatchObject({ name: 'DisabledException' });
    expect((await c.send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    expect(await kmsError(c.send(new DisableKeyCommand({ KeyId: 'alias/lifecycle' })))).toMatchObject({ name: 'NotFoundException' }); // key id or ARN only
    await c.send(new EnableKeyCommand({ KeyId: arn }));
    await signWith();

    expect(await kmsError(c.send(new ScheduleKeyDeletionCommand({ KeyId: arn, PendingWindowInDays: 6 })))).toMatchObject({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value '6' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 7",
    });
    const before = Date.now();
    const scheduled = await c.send(new ScheduleKeyDeletionCommand({ KeyId: arn, PendingWindowInDays: 7 }));
    expect(scheduled).toMatchObject({ KeyId: arn, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    expect(Math.abs(scheduled.DeletionDate!.getTime() - before - 7 * 86_400_000)).toBeLessThan(60_000);
    expect(await kmsError(signWith())).toEqual({ name: 'KMSInvalidStateException', status: 400, message: `${arn} is pending deletion.` });
    expect(await kmsError(c.send(new EnableKeyCommand({ KeyId: arn })))).toMatchObject({ name: 'KMSInvalidStateException' });
    expect((await c.send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata).toMatchObject({
      KeyState: 'PendingDeletion',
      PendingDeletionWindowInDays: 7,
    });
    expect((await c.send(new CancelKeyDeletionCommand({ KeyId: arn }))).KeyId).toBe(arn);
    expect((await c.send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    expect(await kmsError(c.send(new CancelKeyDeletionCommand({ KeyId: arn })))).toMatchObject({
      name: 'KMSInvalidStateException',
      message: `${arn} is not pending deletion.`,
    });
  });

  it('manages aliases: create, list (all or per key), delete, and KMS errors', async () => {
    const a = await kms.createKey('ML_DSA_65');
    const b = await kms.createKey('ML_DSA_87');
    await c.send(new CreateAliasCommand({ AliasName: 'alias/team/a1', TargetKeyId: a }));
    await c.send(new CreateAliasCommand({ AliasName: 'alias/team/a2', TargetKeyId: a.split('/')[1] }));
    await c.send(new CreateAliasCommand({ AliasName: 'alias/team/b1', TargetKeyId: b }));
    const forA = (await c.send(new ListAliasesCommand({ KeyId: a }))).Aliases!;
    expect(forA.map((x) => x.AliasName)).toEqual(['alias/team/a1', 'alias/team/a2']);
    expect(forA[0]).toMatchObject({ AliasArn: `arn:aws:kms:${REGION}:111122223333:alias/team/a1`, TargetKeyId: a.split('/')[1] });
    expect(await kmsError(c.send(new CreateAliasCommand({ AliasName: 'alias/team/a1', TargetKeyId: b })))).toMatchObject({
      name: 'AlreadyExistsException',
      message: `An alias with the name arn:aws:kms:${REGION}:111122223333:alias/team/a1 already exists`,
    });
    expect(await kmsError(c.send(new CreateAliasCommand({ AliasName: 'alias/x', TargetKeyId: 'alias/team/a1' })))).toMatchObject({
      name: 'ValidationException',
    });
    expect(await kmsError(c.send(new CreateAliasCommand({ AliasName: 'team/x', TargetKeyId: a })))).toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('alias/'),
    });
    expect(await kmsError(c.send(new CreateAliasCommand({ AliasName: 'alias/has space', TargetKeyId: a })))).toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('regular expression pattern'),
    });
    expect(await kmsError(c.send(new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: a })))).toMatchObject({
      name: 'NotAuthorizedException',
    });
    await c.send(new DeleteAliasCommand({ AliasName: 'alias/team/a2' }));
    expect((await c.send(new ListAliasesCommand({ KeyId: a }))).Aliases!.map((x) => x.AliasName)).toEqual(['alias/team/a1']);
    expect(await kmsError(c.send(new DeleteAliasCommand({ AliasName: 'alias/team/a2' })))).toMatchObject({ name: 'NotFoundException' });
  });

  it('pages ListKeys with opaque markers', async () => {
    await kms.createKey('ML_DSA_44');
    const all = (await c.send(new ListKeysCommand({}))).Keys!;
    expect(all.length).toBeGreaterThanOrEqual(3);
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await c.send(new ListKeysCommand({ Limit: 2, Marker: marker }));
      expect(page.Keys!.length).toBeLessThanOrEqual(2);
      seen.push(...page.Keys!.map((k) => k.KeyArn!));
      marker = page.Truncated ? page.NextMarker : undefined;
    } while (marker);
    expect(seen).toEqual(all.map((k) => k.KeyArn));
    expect(await kmsError(c.send(new ListKeysCommand({ Marker: 'garbage' })))).toMatchObject({ name: 'InvalidMarkerException' });
  });
});

describe('local KMS: SigV4 authentication', async () => {
  const kms = await startTestKms();
  const list = (client: KMSClient) => client.send(new ListKeysCommand({}));

  it('refuses unsigned requests, unknown keys, wrong secrets, tokens and other regions', async () => {
    const unsigned = await fetch(kms.server.url, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' },
    });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toEqual({
      __type: 'MissingAuthenticationTokenException',
      message: 'Request is missing Authentication Token',
    });
    expect(unsigned.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);

    expect(
      await kmsError(list(kms.client({ maxAttempts: 1, credentials: { ...CREDENTIAL, accessKeyId: 'AKIAOTHERKEY00000000' } }))),
    ).toEqual({
      name: 'UnrecognizedClientException',
      status: 400,
      message: 'The security token included in the request is invalid.',
    });
    expect(await kmsError(list(kms.client({ maxAttempts: 1, credentials: { ...CREDENTIAL, secretAccessKey: 'wrong' } })))).toEqual({
      name: 'InvalidSignatureException',
      status: 400,
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    });
    expect(
      await kmsError(list(kms.client({ maxAttempts: 1, credentials: { ...CREDENTIAL, sessionToken: 'FwoGZXIvYXdzE' } }))),
    ).toMatchObject({ name: 'UnrecognizedClientException' });
    expect(await kmsError(list(kms.client({ maxAttempts: 1, region: 'eu-west-1' })))).toMatchObject({
      name: 'InvalidSignatureException',
      message: 'Credential should be scoped to a valid region.',
    });
  });

  it('detects a body changed after signing', async () => {
    const client = kms.client({ maxAttempts: 1 });
    const tamper: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => async (args) => {
      const { request } = args;
      // the signed JSON body is bytes: string methods on it still work but warn, and will throw in a later SDK
      if (!isHttpRequest(request) || !(request.body instanceof Uint8Array)) throw new Error('no signed JSON body to tamper with');
      const body = new TextDecoder().decode(request.body);
      expect(body).toContain('"Limit":5'); // so the change below is real
      request.body = body.replace('"Limit":5', '"Limit":6');
      return next(args);
    };
    client.middlewareStack.addRelativeTo(tamper, { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tamper' });
    expect(await kmsError(client.send(new ListKeysCommand({ Limit: 5 })))).toMatchObject({ name: 'InvalidSignatureException' });
  });

  it('answers a skewed clock as AWS does, and the SDK corrects it from the Date header', async () => {
    const skewed = { systemClockOffset: -20 * 60 * 1000 };
    const once = await kmsError(list(kms.client({ ...skewed, maxAttempts: 1 })));
    expect(once.name).toBe('InvalidSignatureException');
    expect(once.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/);
    const ahead = await kmsError(list(kms.client({ systemClockOffset: 20 * 60 * 1000, maxAttempts: 1 })));
    expect(ahead.message).toMatch(/^Signature not yet current: .* is still later than .* \+ 5 min\.\)$/);
    const client = kms.client(skewed);
    const out = await list(client);
    expect(out.$metadata.attempts).toBe(2);
    expect(Math.abs(client.config.systemClockOffset)).toBeLessThan(5000);
  });

  it('refuses a request whose SignedHeaders leave out the operation, content type or date (a replayed DescribeKey as DisableKey)', async () => {
    const arn = await kms.createKey('ML_DSA_44');
    const body = JSON.stringify({ KeyId: arn });
    // control: the same hand-made request, everything signed, is accepted
    const ok = await rawKms(kms.server.url, { target: 'TrentService.DescribeKey', body });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    // a DescribeKey whose signature does not cover x-amz-target, sent with another operation
    const replay = await rawKms(kms.server.url, {
      target: 'TrentService.DescribeKey',
      sendTarget: 'TrentService.DisableKey',
      body,
      unsigned: ['x-amz-target'],
    });
    expect(replay).toEqual({
      status: 400,
      json: { __type: 'InvalidSignatureException', message: "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization." },
    });
    expect((await kms.client().send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata!.KeyState).toBe('Enabled');
    expect(await rawKms(kms.server.url, { target: 'TrentService.DescribeKey', body, unsigned: ['content-type'] })).toMatchObject({
      status: 400,
      json: { __type: 'InvalidSignatureException', message: "'Content-Type' must be a 'SignedHeader' in the AWS Authorization." },
    });
    expect(await rawKms(kms.server.url, { target: 'TrentService.DescribeKey', body, unsigned: ['x-amz-date'] })).toMatchObject({
      status: 400,
      json: { __type: 'InvalidSignatureException', message: "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization." },
    });
  });

  // A bounded upload that stops as soon as the answer comes: how much of it was handed to the socket by then.
  it.each([
    ['unsigned, with Content-Length', false, true, 'MissingAuthenticationTokenException', 400],
    ['unsigned, chunked', false, false, 'MissingAuthenticationTokenException', 400],
    ['signed headers, Content-Length over the limit', true, true, 'SerializationException', 413],
    ['signed headers, chunked past the limit', true, false, 'SerializationException', 413],
  ] as const)('answers a 50 MB upload (%s) without reading it', async (_, signed, withLength, type, status) => {
    const r = await upload(kms.server.url, { signed, withLength, bytes: 50 * 1024 * 1024 });
    expect(r.status).toBe(status);
    expect(r.json.__type).toBe(type);
    expect(r.sentBeforeAnswer).toBeLessThan(16 * 1024 * 1024);
  });

  it('refuses operations it does not implement', async () => {
    const client = kms.client({ maxAttempts: 1 });
    client.middlewareStack.add(
      (next) => async (args) => {
        if (!isHttpRequest(args.request)) throw new Error('no HTTP request to retarget in the build step');
        args.request.headers['x-amz-target'] = 'TrentService.Encrypt';
        return next(args);
      },
      { step: 'build', name: 'retarget' },
    );
    expect(await kmsError(list(client))).toMatchObject({ name: 'UnknownOperationException', status: 400 });
  });
});

describe('local KMS: persistence', () => {
  it('keeps keys and aliases across restarts, key material 0600, writes atomic; purges keys past their deletion date', async () => {
    const dataDir = join(tempDir(), 'kms');
    const first = await startKmsServer({ credential: CREDENTIAL, dataDir });
    const { KMSClient } = await import('@aws-sdk/client-kms');
    const client1 = new KMSClient({ endpoint: first.url, region: REGION, credentials: CREDENTIAL });
    const keep = (await client1.send(new CreateKeyCommand({ KeySpec: 'ML_DSA_87', KeyUsage: 'SIGN_VERIFY', Description: 'kept' })))
      .KeyMetadata!;
    await client1.send(new CreateAliasCommand({ AliasName: 'alias/kept', TargetKeyId: keep.KeyId }));
    const doomed = (await client1.send(new CreateKeyCommand({ KeySpec: 'ML_DSA_44', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;
    await client1.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: doomed.KeyId }));
    await client1.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));
    await client1.send(new DisableKeyCommand({ KeyId: keep.KeyId }));
    await client1.send(new EnableKeyCommand({ KeyId: keep.KeyId }));
    const pub1 = (await client1.send(new GetPublicKeyCommand({ KeyId: 'alias/kept' }))).PublicKey!;
    client1.destroy();
    await first.close();

    const keyFiles = readdirSync(join(dataDir, 'keys'));
    expect(keyFiles.sort()).toEqual([`${keep.KeyId}.json`, `${doomed.KeyId}.json`].sort());
    for (const f of keyFiles) expect(statSync(join(dataDir, 'keys', f)).mode & 0o777).toBe(0o600);
    expect(readdirSync(dataDir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(readFileSync(join(dataDir, 'keys', `${keep.KeyId}.json`), 'utf8')).not.toContain(
      Buffer.from(pub1).toString('base64').slice(0, 40),
    );

    // Move the doomed key's deletion date into the past, as if its waiting period had run out.
    const doomedPath = join(dataDir, 'keys', `${doomed.KeyId}.json`);
    const doc = JSON.parse(readFileSync(doomedPath, 'utf8'));
    doc.deletionDate = Date.now() / 1000 - 1;
    writeFileSync(doomedPath, JSON.stringify(doc));

    const second = await startKmsServer({ credential: CREDENTIAL, dataDir });
    const client2 = new KMSClient({ endpoint: second.url, region: REGION, credentials: CREDENTIAL, maxAttempts: 1 });
    try {
      const again = await client2.send(new GetPublicKeyCommand({ KeyId: 'alias/kept' }));
      expect(Buffer.from(again.PublicKey!).equals(Buffer.from(pub1))).toBe(true);
      const meta = (await client2.send(new DescribeKeyCommand({ KeyId: 'alias/kept' }))).KeyMetadata!;
      expect(meta).toMatchObject({ KeyId: keep.KeyId, Description: 'kept', KeyState: 'Enabled', KeySpec: 'ML_DSA_87' });
      expect(meta.CreationDate!.getTime()).toBe(keep.CreationDate!.getTime());
      const key = parseSpki(pub1);
      const mu = computeMu(key.params, key.publicKey, new Uint8Array([1, 2, 3]));
      const sig = await client2.send(
        new SignCommand({ KeyId: 'alias/kept', Message: mu, MessageType: 'EXTERNAL_MU', SigningAlgorithm: ALG }),
      );
      expect(verifyMu(key.params, key.publicKey, mu, sig.Signature!)).toBe(true);
      expect(await kmsError(client2.send(new DescribeKeyCommand({ KeyId: doomed.KeyId })))).toMatchObject({ name: 'NotFoundException' });
      expect(await kmsError(client2.send(new DescribeKeyCommand({ KeyId: 'alias/doomed' })))).toMatchObject({ name: 'NotFoundException' });
      expect(readdirSync(join(dataDir, 'keys'))).toEqual([`${keep.KeyId}.json`]);
    } finally {
      client2.destroy();
      await second.close();
    }
  });

  it('starts on what a crash mid-purge left: drops a dangling alias with a warning, removes stale temp files', async () => {
    const dataDir = join(tempDir(), 'kms');
    const first = await startKmsServer({ credential: CREDENTIAL, dataDir });
    const { KMSClient } = await import('@aws-sdk/client-kms');
    const client1 = new KMSClient({ endpoint: first.url, region: REGION, credentials: CREDENTIAL });
    const kept = (await client1.send(new CreateKeyCommand({ KeySpec: 'ML_DSA_44', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.KeyId!;
    const gone = (await client1.send(new CreateKeyCommand({ KeySpec: 'ML_DSA_44', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.KeyId!;
    await client1.send(new CreateAliasCommand({ AliasName: 'alias/kept', TargetKeyId: kept }));
    await client1.send(new CreateAliasCommand({ AliasName: 'alias/gone', TargetKeyId: gone }));
    client1.destroy();
    await first.close();
    // the state an older server left when killed between deleting a key file and rewriting aliases.json,
    // plus the temp files of two interrupted writes
    unlinkSync(join(dataDir, 'keys', `${gone}.json`));
    writeFileSync(join(dataDir, '.aliases.json.tmp-0123456789ab'), '{"format":');
    writeFileSync(join(dataDir, 'keys', `.${kept}.json.tmp-0123456789ab`), '');

    const warnings: string[] = [];
    const second = await startKmsServer({ credential: CREDENTIAL, dataDir, warn: (l) => warnings.push(l) });
    const client2 = new KMSClient({ endpoint: second.url, region: REGION, credentials: CREDENTIAL, maxAttempts: 1 });
    try {
      expect(warnings).toEqual([
        `${join(dataDir, 'aliases.json')}: dropped an alias naming a key that does not exist: alias/gone (key ${gone})`,
      ]);
      expect((await client2.send(new DescribeKeyCommand({ KeyId: 'alias/kept' }))).KeyMetadata!.KeyId).toBe(kept);
      expect(await kmsError(client2.send(new DescribeKeyCommand({ KeyId: 'alias/gone' })))).toMatchObject({ name: 'NotFoundException' });
      expect(readdirSync(dataDir).filter((f) => f.includes('.tmp-'))).toEqual([]);
      expect(readdirSync(join(dataDir, 'keys'))).toEqual([`${kept}.json`]);
    } finally {
      client2.destroy();
      await second.close();
    }
    // the repair was written: the next start has nothing to say
    const third = await startKmsServer({ credential: CREDENTIAL, dataDir, warn: (l) => warnings.push(l) });
    await third.close();
    expect(warnings.length).toBe(1);
  });

  it('refuses to start on a corrupt data dir, and without credentials', async () => {
    const dataDir = join(tempDir(), 'kms');
    const first = await startKmsServer({ credential: CREDENTIAL, dataDir });
    await first.close();
    writeFileSync(join(dataDir, 'aliases.json'), '{"format":"something else"}');
    await expect(startKmsServer({ credential: CREDENTIAL, dataDir })).rejects.toMatchObject({
      code: 'ERR_FILE',
      message: expect.stringContaining('not a valid local KMS state file'),
    });
    await expect(startKmsServer({ credential: { accessKeyId: '', secretAccessKey: '' } })).rejects.toMatchObject({ code: 'ERR_USAGE' });
  });
});

describe('local KMS: fault injection', async () => {
  const kms = await startTestKms();
  const arn = await kms.createKey('ML_DSA_44');
  const sign = (client: KMSClient) =>
    client.send(new SignCommand({ KeyId: arn, Message: mu64(9), MessageType: 'EXTERNAL_MU', SigningAlgorithm: ALG }));

  it('throttles, fails and delays on request', async () => {
    const client = kms.client({ maxAttempts: 1 });
    try {
      kms.server.faults.throttleRate = 1;
      expect(await kmsError(sign(client))).toMatchObject({ name: 'ThrottlingException', status: 400 });
      kms.server.faults.throttleRate = 0;
      kms.server.faults.failRate = 1;
      expect(await kmsError(sign(client))).toMatchObject({ name: 'KMSInternalException', status: 500 });
      kms.server.faults.failRate = 0;
      kms.server.faults.latencyMs = 150;
      const t = Date.now();
      await sign(client);
      expect(Date.now() - t).toBeGreaterThanOrEqual(145);
    } finally {
      Object.assign(kms.server.faults, { latencyMs: 0, throttleRate: 0, failRate: 0 });
    }
  });
});

/** HttpRequest.isInstance's test: the SDK types a middleware's request `unknown`; from the build step on it is HTTP. */
function isHttpRequest(request: unknown): request is HttpRequest {
  return (
    typeof request === 'object' && request !== null && 'method' in request && 'headers' in request && typeof request.headers === 'object'
  );
}

/** SHA-256 / HMAC-SHA256 in the shape @smithy/signature-v4 takes. */
class Sha256 {
  private readonly h;
  constructor(secret?: string | Uint8Array) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
  }
  update(data: string | Uint8Array): void {
    this.h.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

/** Headers of a KMS request signed with SigV4 over every header except `unsigned`. */
async function signHeaders(url: string, target: string, body: string, unsigned: string[] = []): Promise<Record<string, string>> {
  const { host, hostname, port } = new URL(url);
  const signer = new SignatureV4({
    credentials: CREDENTIAL,
    region: REGION,
    service: 'kms',
    sha256: Sha256 as never,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname,
      port: Number(port),
      path: '/',
      query: {},
      body,
      headers: { host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    },
    { unsignableHeaders: new Set(unsigned) },
  );
  return signed.headers as Record<string, string>;
}

/** A hand-made KMS request over raw HTTP: signed as told, sent with `sendTarget` as its operation. */
async function rawKms(
  url: string,
  o: { target: string; sendTarget?: string; body: string; unsigned?: string[] },
): Promise<{ status: number; json: unknown }> {
  const headers = await signHeaders(url, o.target, o.body, o.unsigned);
  const res = await fetch(url, { method: 'POST', body: o.body, headers: { ...headers, 'x-amz-target': o.sendTarget ?? o.target } });
  return { status: res.status, json: await res.json() };
}

/** POST `bytes` (64 KiB at a time, generated as asked for) and stop when the answer arrives. */
function upload(
  url: string,
  o: { signed: boolean; withLength: boolean; bytes: number },
): Promise<{ status: number; json: { __type?: string }; sentBeforeAnswer: number }> {
  return new Promise((resolve, reject) => {
    void (async () => {
      const headers: Record<string, string | number> = o.signed
        ? await signHeaders(url, 'TrentService.ListKeys', '{}')
        : { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' };
      if (o.withLength) headers['content-length'] = o.bytes;
      let sent = 0;
      let answered = false;
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const body = new Readable({
        read() {
          if (answered || sent >= o.bytes) return void this.push(null);
          sent += chunk.length;
          this.push(chunk);
        },
      });
      const req = httpRequest(url, { method: 'POST', headers }, (res) => {
        answered = true;
        const sentBeforeAnswer = sent;
        let text = '';
        res.on('data', (d: Buffer) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text), sentBeforeAnswer }));
      });
      req.on('error', (e) => (answered ? undefined : reject(e))); // the server closes the connection after answering
      body.pipe(req);
    })().catch(reject);
  });
}
