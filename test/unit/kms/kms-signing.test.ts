// The KMS signer in this process: the real @aws-sdk/client-kms over HTTP against the local KMS server
// (test/support/kms-fixture.ts). What `sign --key awskms://...` does below the command line: only μ travels
// (EXTERNAL_MU), KMS RAW, DryRun, Verify, KMS failures as ERR_KMS (exit 3) with the KMS error's name,
// retries and timeouts (the settings bin/ reads from AWS_MAX_ATTEMPTS and PQSIGN_KMS_TIMEOUT_MS), restarts
// on a data directory, and the AWS CLI (botocore) against the server. test/cli/kms-cli.test.ts keeps the
// command line's side: flags, exit codes, the one-line messages, the environment variables.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DisableKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import '../../../src/kms/register.js';
import { encodePem } from '../../../src/asn1/pem.js';
import { encodeSpki } from '../../../src/mldsa/asn1.js';
import { mapBounded } from '../../../src/base/pool.js';
import { isPqsignError } from '../../../src/base/errors.js';
import { startKmsServer } from '../../../src/kms-server/index.js';
import { createKmsKey, describeKmsKey } from '../../../src/kms/manage.js';
import { setKmsClientSettings } from '../../../src/kms/settings.js';
import { KmsSigner } from '../../../src/kms/signer.js';
import { loadPublicKey } from '../../../src/pipeline/keyref.js';
import { formatByName } from '../../../src/pipeline/registry.js';
import { signFile, type SignResult } from '../../../src/pipeline/sign.js';
import { verifyPath, type VerifyOutcome } from '../../../src/pipeline/verify.js';
import { batchWithOneKmsFailure, CREDENTIAL, ML_DSA_SPECS, sharedMlDsaKeys, startTestKms } from '../../support/kms-fixture.js';
import { FIRMWARE, HAVE_SHARED, NO_SHARED, oracle, sparseFile, tempDir, withEnv } from '../../support/helpers.js';
import { useKmsEnvironment } from '../../support/kms-inproc.js';
import { failure, keyRules, muOf, signWith } from '../../support/inproc.js';
import { exitOfCode } from '../../support/exit-codes.js';

const SIG_BYTES = { ML_DSA_44: 2420, ML_DSA_65: 3309, ML_DSA_87: 4627 } as const;
const NAME = { ML_DSA_44: 'ML-DSA-44', ML_DSA_65: 'ML-DSA-65', ML_DSA_87: 'ML-DSA-87' } as const;
const SPECS = ML_DSA_SPECS;

useKmsEnvironment();
afterEach(() => setKmsClientSettings({})); // bin/ sets them once from AWS_MAX_ATTEMPTS and PQSIGN_KMS_TIMEOUT_MS

/** `verify FILE [--sig S] --key awskms://... --kms [--context HEX]`: KMS Verify decides, the key's rules apply. */
async function verifyByKms(file: string, ref: string, o: { sig?: string; context?: Uint8Array } = {}): Promise<VerifyOutcome> {
  const kms = await KmsSigner.open(ref);
  try {
    return await verifyPath(file, {
      rules: await keyRules(ref),
      sig: o.sig,
      context: o.context ?? new Uint8Array(0),
      formatOptions: {},
      verifier: kms,
    });
  } finally {
    await kms.close();
  }
}

/** `sign FILE... --key REF [--message-type T] [--concurrency N]`: one signer, each file's outcome (naming the file). */
async function signAll(files: string[], ref: string, o: { messageType?: 'mu' | 'raw'; concurrency?: number } = {}) {
  const signer = await KmsSigner.open(ref);
  try {
    return await mapBounded(files, o.concurrency ?? 8, (f) =>
      signFile(f, `${f}.sig`, formatByName('raw'), signer, {
        context: new Uint8Array(0),
        formatOptions: {},
        messageType: o.messageType,
      }).catch((e: unknown) => Promise.reject(isPqsignError(e) ? e.withFile(f) : e)),
    );
  } finally {
    await signer.close();
  }
}

/** `pqsign sign FILE --key awskms://... --message-type raw` */
async function signRaw(file: string, ref: string, o: { out?: string; context?: string } = {}): Promise<SignResult> {
  const signer = await KmsSigner.open(ref);
  try {
    const context = new Uint8Array(Buffer.from(o.context ?? '', 'hex'));
    return await signFile(file, o.out ?? `${file}.sig`, formatByName('raw'), signer, { context, formatOptions: {}, messageType: 'raw' });
  } finally {
    await signer.close();
  }
}

describe('signing with awskms:// keys, in process', async () => {
  const kms = await startTestKms();
  const dir = tempDir();
  // far past KMS's 4096-byte RAW limit; flat memory over larger inputs is the CLI tests' (test/cli/cms-chain.test.ts)
  const big = sparseFile(join(dir, 'image-32m.bin'), 32 * 1024 * 1024);
  const shared = await sharedMlDsaKeys(kms, dir);

  it.each(SPECS)('%s: creates a key, signs a 32 MiB file through EXTERNAL_MU, verifies offline and through KMS', async (spec) => {
    const alias = `alias/fw-${spec.toLowerCase()}`;
    const facts = await createKmsKey({ spec, alias, endpoint: kms.authority, description: 'firmware', tags: ['team=fw'] });
    expect(facts).toMatchObject({
      keySpec: spec,
      keyUsage: 'SIGN_VERIFY',
      keyState: 'Enabled',
      aliases: [alias],
      keyRef: kms.ref(alias),
      description: 'firmware',
    });
    const ref = facts.keyRef;

    // first use of the key in this process: the signer fetches its public key (then cached, as in one CLI run)
    const sig = join(dir, `${spec}.sig`);
    const before = kms.log.length;
    const signed = await signWith(big, ref, { out: sig });
    expect(signed).toMatchObject({
      algorithm: NAME[spec],
      bytes: 32 * 1024 * 1024,
      signatureBytes: SIG_BYTES[spec],
      keyFingerprint: facts.keyFingerprint,
    });
    expect(readFileSync(sig).length).toBe(SIG_BYTES[spec]);
    // Only μ travelled: one GetPublicKey, one Sign with MessageType EXTERNAL_MU.
    expect(kms.log.slice(before).map((l) => l.replace(/ \d+ms$/, ''))).toEqual(['GetPublicKey 200', 'Sign EXTERNAL_MU 200']);

    const pub = join(dir, `${spec}.pub.pem`);
    const k = await loadPublicKey(ref); // `pqsign pubkey --key REF --out PUB`
    writeFileSync(pub, encodePem('PUBLIC KEY', encodeSpki(k.params, k.publicKey)));

    const rules = await keyRules(pub);
    const offline = await verifyPath(big, { rules, sig, context: new Uint8Array(0), formatOptions: {} });
    expect(offline).toMatchObject({ params: { name: NAME[spec] }, keyFingerprint: facts.keyFingerprint });
    const viaKms = await verifyByKms(big, ref, { sig });
    expect(viaKms.keyFingerprint).toBe(facts.keyFingerprint);
    expect(kms.log.at(-1)).toMatch(/^Verify EXTERNAL_MU 200/);

    expect(await muOf(big, ref)).toMatch(/^[0-9a-f]{128}$/);
  });

  it('KMS Verify reports a tampered file as an invalid signature (exit 1), not a KMS failure', async () => {
    const { ref } = shared.ML_DSA_65;
    const file = join(dir, 'small.bin');
    writeFileSync(file, 'release 1.0');
    await signWith(file, ref);
    writeFileSync(file, 'release 1.1');
    const f = await failure(verifyByKms(file, ref));
    expect(exitOfCode(f.code)).toBe(1);
    expect(f).toMatchObject({
      code: 'ERR_SIGNATURE_INVALID',
      file: `${file}.sig`,
      message: expect.stringMatching(/signature does not verify/),
    });
    expect(kms.log.at(-1)).toMatch(/^Verify EXTERNAL_MU 400 KMSInvalidSignatureException/);
  });

  it.skipIf(!HAVE_SHARED)('KMS signatures verify with three independent implementations, with and without a context', async () => {
    for (const spec of SPECS) {
      const { ref, pub } = shared[spec];
      const sig = join(dir, `fw-${spec}.sig`);
      const ctxSig = join(dir, `fw-${spec}.ctx.sig`);
      const ctx = Buffer.from('pqsign kms oracle').toString('hex');
      await signWith(FIRMWARE, ref, { out: sig });
      await signWith(FIRMWARE, ref, { out: ctxSig, context: ctx });
      for (const [s, extra] of [
        [sig, []],
        [ctxSig, [ctx]],
      ] as const) {
        const r = oracle(['verify', NAME[spec], pub, s, FIRMWARE, ...extra]);
        expect(r.ok, r.stdout + r.stderr).toBe(true);
        expect(r.stdout.match(/valid/g)?.length).toBe(3);
      }
      const v = await verifyByKms(FIRMWARE, ref, { sig: ctxSig, context: new Uint8Array(Buffer.from(ctx, 'hex')) });
      expect(v.params.name).toBe(NAME[spec]);
    }
  });
  if (!HAVE_SHARED) it.skip(NO_SHARED, () => undefined);

  it('message type raw signs through KMS RAW, and refuses more than 4096 bytes or a context (exit 2)', async () => {
    const { ref, pub } = shared.ML_DSA_44;
    const small = join(dir, 'manifest.json');
    writeFileSync(small, JSON.stringify({ version: '1.0', sha256: 'ab'.repeat(32) }));
    await signRaw(small, ref);
    expect(kms.log.at(-1)).toMatch(/^Sign RAW 200/);
    await verifyPath(small, { rules: await keyRules(pub), context: new Uint8Array(0), formatOptions: {} });

    const over = join(dir, 'over.bin');
    writeFileSync(over, Buffer.alloc(4097, 7));
    const tooBig = await failure(signRaw(over, ref));
    expect(exitOfCode(tooBig.code)).toBe(2);
    expect(tooBig.message).toMatch(/`messageType: raw` allows at most 4096 bytes/);
    expect(existsSync(`${over}.sig`)).toBe(false);
    const withCtx = await failure(signRaw(small, ref, { context: '00', out: join(dir, 'ctx.sig') }));
    expect(exitOfCode(withCtx.code)).toBe(2);
    expect(withCtx.message).toMatch(/cannot carry a context/);
    expect(existsSync(join(dir, 'ctx.sig'))).toBe(false);
  });

  it('dry run asks KMS DryRun, for μ and for RAW, and signs nothing', async () => {
    const signer = await KmsSigner.open(shared.ML_DSA_87.ref);
    try {
      const signs = kms.log.filter((l) => / 200 /.test(l) && l.startsWith('Sign')).length;
      await signer.dryRun('mu');
      expect(kms.log.at(-1)).toMatch(/^Sign EXTERNAL_MU 412 DryRunOperationException/);
      await signer.dryRun('raw');
      expect(kms.log.at(-1)).toMatch(/^Sign RAW 412 DryRunOperationException/);
      expect(kms.log.filter((l) => / 200 /.test(l) && l.startsWith('Sign')).length).toBe(signs);
    } finally {
      await signer.close();
    }
  });

  it('turns each KMS failure into ERR_KMS (exit 3) naming the KMS error, writing nothing', async () => {
    const file = join(dir, 'fail.bin');
    writeFileSync(file, 'x');
    const out = join(dir, 'fail.sig');
    const expectKmsFailure = async (ref: string, name: string) => {
      const f = await failure(signWith(file, ref, { out }));
      expect(f.code, f.message).toBe('ERR_KMS');
      expect(exitOfCode(f.code)).toBe(3);
      expect(f.message).not.toContain('\n');
      expect(`${f.message}`).toContain(`: ${name}`);
      expect(existsSync(out)).toBe(false);
    };
    const disabled = await kms.createKey('ML_DSA_65', 'alias/disabled');
    await kms.client().send(new DisableKeyCommand({ KeyId: disabled }));
    await expectKmsFailure(kms.ref('alias/disabled'), 'DisabledException');
    const doomed = await kms.createKey('ML_DSA_65', 'alias/doomed');
    await kms.client().send(new ScheduleKeyDeletionCommand({ KeyId: doomed, PendingWindowInDays: 7 }));
    await expectKmsFailure(kms.ref('alias/doomed'), 'KMSInvalidStateException');
    await expectKmsFailure(
      kms.ref('alias/no-such-alias'),
      'NotFoundException: Alias arn:aws:kms:us-east-1:111122223333:alias/no-such-alias is not found.',
    );
    await withEnv({ AWS_ACCESS_KEY_ID: 'AKIAWRONGWRONGWRONG0' }, () =>
      expectKmsFailure(shared.ML_DSA_65.ref, 'UnrecognizedClientException'),
    );
    await withEnv({ AWS_SECRET_ACCESS_KEY: 'not-the-secret' }, () => expectKmsFailure(shared.ML_DSA_65.ref, 'InvalidSignatureException'));
    setKmsClientSettings({ maxAttempts: 2 });
    await expectKmsFailure(`awskms://127.0.0.1:9/alias/fw`, 'ECONNREFUSED');
    setKmsClientSettings({ maxAttempts: 1, requestTimeoutMs: 300 });
    kms.server.faults.latencyMs = 1500;
    try {
      await expectKmsFailure(shared.ML_DSA_65.ref, 'TimeoutError');
    } finally {
      kms.server.faults.latencyMs = 0;
    }
  });

  it('fail rate 1 fails with ERR_KMS after the retries and writes nothing', async () => {
    const file = join(dir, 'broken.bin');
    writeFileSync(file, 'x');
    // a key this process has not used yet: its first request, GetPublicKey, meets the failures
    const fresh = kms.ref(await kms.createKey('ML_DSA_65'));
    setKmsClientSettings({ maxAttempts: 3 });
    kms.server.faults.failRate = 1;
    try {
      const f = await failure(signWith(file, fresh));
      expect(f.code).toBe('ERR_KMS');
      expect(f.message).toMatch(/KMS GetPublicKey failed for .* \(after 3 attempts\): KMSInternalException/);
      expect(existsSync(`${file}.sig`)).toBe(false);
    } finally {
      kms.server.faults.failRate = 0;
    }
  });

  it('throttle rate 0.3 still succeeds through the SDK retries', async () => {
    const files = Array.from({ length: 25 }, (_, i) => {
      const f = join(dir, `throttled-${i}.bin`);
      writeFileSync(f, `artifact ${i}`);
      return f;
    });
    const before = kms.log.length;
    kms.server.faults.throttleRate = 0.3;
    let results;
    try {
      results = await signAll(files, shared.ML_DSA_44.ref);
    } finally {
      kms.server.faults.throttleRate = 0;
    }
    expect(results.map((r) => (r.ok ? true : (r.error as Error).message))).toEqual(files.map(() => true));
    expect(kms.log.slice(before).filter((l) => l.includes('ThrottlingException')).length).toBeGreaterThan(0);
    const rules = await keyRules(shared.ML_DSA_44.pub);
    for (const f of files) await verifyPath(f, { rules, context: new Uint8Array(0), formatOptions: {} });
  });

  it('keeps the other files when one file fails at KMS, naming that file', async () => {
    const { good, empty } = batchWithOneKmsFailure(dir);
    const results = await signAll([good[0]!, empty, good[1]!, good[2]!], shared.ML_DSA_44.ref, { messageType: 'raw' });
    expect(results.map((r) => r.ok)).toEqual([true, false, true, true]);
    const err = (results[1] as { error: { code: string; detail: string; file: string; message: string } }).error;
    expect(err).toMatchObject({ code: 'ERR_KMS', detail: 'ValidationException', file: empty });
    expect(err.message).toMatch(/^KMS Sign failed for .*: ValidationException: 1 validation error detected/);
    const rules = await keyRules(shared.ML_DSA_44.pub);
    for (const f of good) await verifyPath(f, { rules, context: new Uint8Array(0), formatOptions: {} });
    expect(existsSync(`${empty}.sig`)).toBe(false);
  });

  it('describe shows the key; create-key refuses a taken alias and a spec KMS signing has not (exit 2)', async () => {
    expect(await describeKmsKey(kms.ref('alias/disabled'))).toMatchObject({
      keyState: 'Disabled',
      enabled: false,
      keyFingerprint: null,
      aliases: ['alias/disabled'],
    });
    expect(await describeKmsKey(shared.ML_DSA_87.ref)).toMatchObject({ keySpec: 'ML_DSA_87', algorithm: 'ML-DSA-87' });
    const dup = await failure(createKmsKey({ spec: 'ML_DSA_65', alias: 'alias/shared-87', endpoint: kms.authority, tags: [] }));
    expect(exitOfCode(dup.code)).toBe(2);
    expect(dup.message).toMatch(/alias alias\/shared-87 already exists/);
    const badSpec = await failure(createKmsKey({ spec: 'RSA_2048', endpoint: kms.authority, tags: [] }));
    expect(exitOfCode(badSpec.code)).toBe(2);
    expect(badSpec.message).toMatch(/`spec` must be one of ML_DSA_44, .*got "RSA_2048"/);
  });
});

describe('a restarted local KMS', () => {
  it('signs with the same alias and the same public key after a restart on the same data dir', async () => {
    const dir = tempDir();
    const dataDir = join(dir, 'kms');
    const first = await startKmsServer({ credential: CREDENTIAL, dataDir });
    let firstPub: Uint8Array;
    try {
      const authority = first.url.slice('http://'.length);
      await createKmsKey({ spec: 'ML_DSA_65', alias: 'alias/release', endpoint: authority, tags: [] });
      firstPub = (await loadPublicKey(`awskms://${authority}/alias/release`)).publicKey;
    } finally {
      await first.close();
    }
    const second = await startKmsServer({ credential: CREDENTIAL, dataDir });
    try {
      const ref = `awskms://${second.url.slice('http://'.length)}/alias/release`;
      expect(second.port).not.toBe(first.port);
      const k = await loadPublicKey(ref);
      expect(Buffer.from(k.publicKey).equals(Buffer.from(firstPub))).toBe(true);
      writeFileSync(join(dir, 'pub.pem'), encodePem('PUBLIC KEY', encodeSpki(k.params, k.publicKey)));
      writeFileSync(join(dir, 'fw.bin'), 'after restart');
      await signWith(join(dir, 'fw.bin'), ref);
      await verifyPath(join(dir, 'fw.bin'), { rules: await keyRules(join(dir, 'pub.pem')), context: new Uint8Array(0), formatOptions: {} });
    } finally {
      await second.close();
    }
  });
});

describe('no configured region', () => {
  it('says so in one line (ERR_USAGE, exit 2) instead of failing inside the SDK', async () => {
    const f = await withEnv(
      { AWS_REGION: '', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_PROFILE: '' },
      () => failure(loadPublicKey('awskms:///alias/anything')),
    );
    expect(exitOfCode(f.code)).toBe(2);
    expect(f.message).toBe('no AWS region configured for KMS: set AWS_REGION or a region in your AWS profile, or name the key by its ARN');
  });
});

// The AWS CLI (botocore's SigV4 signer and JSON protocol, not the JS SDK) against the local server,
// and pqsign verifying what it signed (and the AWS CLI verifying what pqsign signed).
const HAVE_AWS_CLI =
  (await new Promise<number | null>((resolve) => {
    const p = spawn('aws', ['--version'], { stdio: 'ignore' });
    p.on('error', () => resolve(null));
    p.on('close', resolve);
  })) === 0;
const NO_AWS_CLI = 'the AWS CLI is not installed: its interoperability check is skipped';
if (!HAVE_AWS_CLI) console.warn(`SKIP: ${NO_AWS_CLI}`);

describe.skipIf(!HAVE_AWS_CLI)(HAVE_AWS_CLI ? 'the AWS CLI against the local KMS server' : NO_AWS_CLI, () => {
  it('creates a key, signs RAW, verifies; pqsign verifies the signature offline', async () => {
    const kms = await startTestKms();
    const dir = tempDir();
    const env = { ...process.env, ...kms.env, AWS_DEFAULT_REGION: kms.server.region };
    // the server lives in this process: run the AWS CLI asynchronously
    const awsAsync = (...args: string[]) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const p = spawn('aws', ['--endpoint-url', kms.server.url, '--output', 'json', 'kms', ...args], { env });
        let out = '';
        let err = '';
        p.stdout.on('data', (d) => (out += d));
        p.stderr.on('data', (d) => (err += d));
        p.on('close', (code) => (code === 0 ? resolve(out ? JSON.parse(out) : {}) : reject(new Error(`aws kms ${args[0]}: ${err}`))));
      });
    const created = (await awsAsync('create-key', '--key-spec', 'ML_DSA_65', '--key-usage', 'SIGN_VERIFY')) as {
      KeyMetadata: { KeyId: string };
    };
    await awsAsync('create-alias', '--alias-name', 'alias/from-aws-cli', '--target-key-id', created.KeyMetadata.KeyId);
    const msg = join(dir, 'msg.txt');
    writeFileSync(msg, 'signed by the AWS CLI');
    const RAW = ['--message', `fileb://${msg}`, '--message-type', 'RAW', '--signing-algorithm', 'ML_DSA_SHAKE_256'];
    const signed = (await awsAsync('sign', '--key-id', 'alias/from-aws-cli', ...RAW)) as { Signature: string };
    writeFileSync(`${msg}.sig`, Buffer.from(signed.Signature, 'base64'));
    const ref = kms.ref('alias/from-aws-cli');
    await verifyPath(msg, { rules: await keyRules(ref), context: new Uint8Array(0), formatOptions: {} });
    await signWith(msg, ref, { out: join(dir, 'ours.sig') });
    const checked = await awsAsync('verify', '--key-id', 'alias/from-aws-cli', ...RAW, '--signature', `fileb://${join(dir, 'ours.sig')}`);
    expect(checked).toMatchObject({ SignatureValid: true });
  });
});
