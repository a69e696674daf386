// The CLI against the local KMS: awskms:// references wherever a key is accepted, KMS failures as
// one line and exit 3, retries, concurrency, restarts. The server runs in this process, the CLI in
// child processes (pqsignAsync), all of it over HTTP through the real AWS SDK.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DisableKeyCommand, GetPublicKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { encodePem } from '../../src/asn1/pem.js';
import { startKmsServer } from '../../src/kms-server/index.js';
import { childEnv, CREDENTIAL, startTestKms } from '../support/kms-fixture.js';
import { CLI, FIRMWARE, HAVE_SHARED, NO_SHARED, oracle, pqsignAsync, sparseFile, tempDir } from '../support/helpers.js';

const SIG_BYTES = { ML_DSA_44: 2420, ML_DSA_65: 3309, ML_DSA_87: 4627 } as const;
const NAME = { ML_DSA_44: 'ML-DSA-44', ML_DSA_65: 'ML-DSA-65', ML_DSA_87: 'ML-DSA-87' } as const;

describe('pqsign with awskms:// keys', async () => {
  const kms = await startTestKms();
  const dir = tempDir();
  const run = (args: string[], env: Record<string, string> = {}) => pqsignAsync(args, { env: { ...kms.env, ...env } });
  const big = sparseFile(join(dir, 'image-200m.bin'), 200 * 1024 * 1024);
  // Keys the tests below share (the per-spec tests create their own through the CLI).
  const SPECS = ['ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87'] as const;
  const shared = Object.fromEntries(
    await Promise.all(
      SPECS.map(async (spec) => {
        const alias = `alias/shared-${spec.slice(-2)}`;
        await kms.createKey(spec, alias);
        const out = await kms.client().send(new GetPublicKeyCommand({ KeyId: alias }));
        const pub = join(dir, `shared-${spec}.pub.pem`);
        writeFileSync(pub, encodePem('PUBLIC KEY', out.PublicKey!));
        return [spec, { ref: kms.ref(alias), pub }];
      }),
    ),
  ) as Record<(typeof SPECS)[number], { ref: string; pub: string }>;

  it.each(['ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87'] as const)(
    '%s: creates a key, signs a 200 MB file through EXTERNAL_MU, verifies offline and through KMS',
    async (spec) => {
      const alias = `alias/fw-${spec.toLowerCase()}`;
      const created = await run([
        'kms',
        'create-key',
        '--spec',
        spec,
        '--alias',
        alias,
        '--endpoint',
        kms.authority,
        '--description',
        'firmware',
        '--tag',
        'team=fw',
        '--json',
      ]);
      expect(created.code, created.stderr).toBe(0);
      const facts = JSON.parse(created.stdout);
      expect(facts).toMatchObject({
        keySpec: spec,
        keyUsage: 'SIGN_VERIFY',
        keyState: 'Enabled',
        aliases: [alias],
        keyRef: kms.ref(alias),
        description: 'firmware',
      });
      const ref = facts.keyRef as string;

      const pub = join(dir, `${spec}.pub.pem`);
      expect((await run(['pubkey', '--key', ref, '--out', pub])).code).toBe(0);
      const sig = join(dir, `${spec}.sig`);
      const before = kms.log.length;
      const signed = await run(['sign', big, '--key', ref, '--out', sig, '--json']);
      expect(signed.code, signed.stderr).toBe(0);
      expect(JSON.parse(signed.stdout)).toMatchObject({
        ok: true,
        algorithm: NAME[spec],
        bytes: 200 * 1024 * 1024,
        signatureBytes: SIG_BYTES[spec],
        keyFingerprint: facts.keyFingerprint,
      });
      expect(readFileSync(sig).length).toBe(SIG_BYTES[spec]);
      // Only μ travelled: one GetPublicKey, one Sign with MessageType EXTERNAL_MU.
      expect(kms.log.slice(before).map((l) => l.replace(/ \d+ms$/, ''))).toEqual(['GetPublicKey 200', 'Sign EXTERNAL_MU 200']);

      const offline = await run(['verify', big, '--sig', sig, '--key', pub, '--json']);
      expect(offline.code, offline.stderr).toBe(0);
      expect(JSON.parse(offline.stdout)).toMatchObject({ ok: true, algorithm: NAME[spec], keyFingerprint: facts.keyFingerprint });
      const viaKms = await run(['verify', big, '--sig', sig, '--key', ref, '--kms', '--json']);
      expect(viaKms.code, viaKms.stderr).toBe(0);
      expect(JSON.parse(viaKms.stdout)).toMatchObject({ ok: true, verifiedBy: 'kms' });
      expect(kms.log.at(-1)).toMatch(/^Verify EXTERNAL_MU 200/);

      const mu = await run(['mu', big, '--key', ref]);
      expect(mu.stdout.trim()).toMatch(/^[0-9a-f]{128}$/);
    },
  );

  it('verify --kms reports a tampered file as an invalid signature (exit 1), not a KMS failure', async () => {
    const { ref, pub } = shared.ML_DSA_65;
    const file = join(dir, 'small.bin');
    writeFileSync(file, 'release 1.0');
    expect((await run(['sign', file, '--key', ref])).code).toBe(0);
    writeFileSync(file, 'release 1.1');
    const r = await run(['verify', file, '--key', ref, '--kms']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/small\.bin\.sig: signature does not verify/);
    expect(kms.log.at(-1)).toMatch(/^Verify EXTERNAL_MU 400 KMSInvalidSignatureException/);
    expect((await run(['verify', file, '--key', pub, '--kms'])).stderr).toMatch(/--kms needs --key awskms:\/\//);
  });

  it.skipIf(!HAVE_SHARED)('KMS signatures verify with three independent implementations, with and without a context', async () => {
    for (const spec of SPECS) {
      const { ref, pub } = shared[spec];
      const sig = join(dir, `fw-${spec}.sig`);
      const ctxSig = join(dir, `fw-${spec}.ctx.sig`);
      const ctx = Buffer.from('pqsign kms oracle').toString('hex');
      expect((await run(['sign', FIRMWARE, '--key', ref, '--out', sig])).code).toBe(0);
      expect((await run(['sign', FIRMWARE, '--key', ref, '--out', ctxSig, '--context', ctx])).code).toBe(0);
      for (const [s, extra] of [
        [sig, []],
        [ctxSig, [ctx]],
      ] as const) {
        const r = oracle(['verify', NAME[spec], pub, s, FIRMWARE, ...extra]);
        expect(r.ok, r.stdout + r.stderr).toBe(true);
        expect(r.stdout.match(/valid/g)?.length).toBe(3);
      }
      const v = await run(['verify', FIRMWARE, '--sig', ctxSig, '--key', ref, '--kms', '--context', ctx]);
      expect(v.code, v.stderr).toBe(0);
    }
  });
  if (!HAVE_SHARED) it.skip(NO_SHARED, () => undefined);

  it('--message-type raw signs through KMS RAW, and refuses more than 4096 bytes or a context with exit 2', async () => {
    const { ref, pub } = shared.ML_DSA_44;
    const small = join(dir, 'manifest.json');
    writeFileSync(small, JSON.stringify({ version: '1.0', sha256: 'ab'.repeat(32) }));
    const r = await run(['sign', small, '--key', ref, '--message-type', 'raw']);
    expect(r.code, r.stderr).toBe(0);
    expect(kms.log.at(-1)).toMatch(/^Sign RAW 200/);
    expect((await run(['verify', small, '--key', pub])).code).toBe(0);

    const over = join(dir, 'over.bin');
    writeFileSync(over, Buffer.alloc(4097, 7));
    const tooBig = await run(['sign', over, '--key', ref, '--message-type', 'raw']);
    expect(tooBig.code).toBe(2);
    expect(tooBig.stderr).toMatch(/over\.bin: --message-type raw allows at most 4096 bytes/);
    expect(existsSync(`${over}.sig`)).toBe(false);
    const withCtx = await run(['sign', small, '--key', ref, '--message-type', 'raw', '--context', '00', '--out', join(dir, 'ctx.sig')]);
    expect(withCtx.code).toBe(2);
    expect(withCtx.stderr).toMatch(/cannot carry a context/);
  });

  it('--dry-run asks KMS DryRun and writes nothing', async () => {
    const file = join(dir, 'dry.bin');
    writeFileSync(file, 'dry');
    const r = await run(['sign', file, '--key', shared.ML_DSA_87.ref, '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, dryRun: true, file, algorithm: 'ML-DSA-87', messageType: 'mu' });
    expect(kms.log.at(-1)).toMatch(/^Sign EXTERNAL_MU 412 DryRunOperationException/);
    expect(existsSync(`${file}.sig`)).toBe(false);
    const missing = await run(['sign', join(dir, 'nope.bin'), '--key', shared.ML_DSA_87.ref, '--dry-run']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.bin: no such file/);
    const local = await run(['sign', file, '--key', shared.ML_DSA_87.pub, '--dry-run']);
    expect(local.code).toBe(2);
  });

  it('turns each KMS failure into one line and exit 3, naming the KMS error', async () => {
    const file = join(dir, 'fail.bin');
    writeFileSync(file, 'x');
    const expectKmsFailure = async (ref: string, name: string, env: Record<string, string> = {}) => {
      const r = await run(['sign', file, '--key', ref, '--out', join(dir, 'fail.sig')], env);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`: ${name}`);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(join(dir, 'fail.sig'))).toBe(false);
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
    await expectKmsFailure(shared.ML_DSA_65.ref, 'UnrecognizedClientException', { AWS_ACCESS_KEY_ID: 'AKIAWRONGWRONGWRONG0' });
    await expectKmsFailure(shared.ML_DSA_65.ref, 'InvalidSignatureException', { AWS_SECRET_ACCESS_KEY: 'not-the-secret' });
    await expectKmsFailure(`awskms://127.0.0.1:9/alias/fw`, 'ECONNREFUSED', { AWS_MAX_ATTEMPTS: '2' });
    kms.server.faults.latencyMs = 1500;
    try {
      await expectKmsFailure(shared.ML_DSA_65.ref, 'TimeoutError', { AWS_MAX_ATTEMPTS: '1', PQSIGN_KMS_TIMEOUT_MS: '300' });
    } finally {
      kms.server.faults.latencyMs = 0;
    }
  });

  it('--fail-rate 1 fails with exit 3 after the retries and writes nothing', async () => {
    const file = join(dir, 'broken.bin');
    writeFileSync(file, 'x');
    kms.server.faults.failRate = 1;
    try {
      const r = await run(['sign', file, '--key', shared.ML_DSA_65.ref], { AWS_MAX_ATTEMPTS: '3' });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/KMS GetPublicKey failed for .* \(after 3 attempts\): KMSInternalException/);
      expect(existsSync(`${file}.sig`)).toBe(false);
    } finally {
      kms.server.faults.failRate = 0;
    }
  });

  it('--throttle-rate 0.3 still succeeds through the SDK retries', async () => {
    const files = Array.from({ length: 25 }, (_, i) => {
      const f = join(dir, `throttled-${i}.bin`);
      writeFileSync(f, `artifact ${i}`);
      return f;
    });
    const before = kms.log.length;
    kms.server.faults.throttleRate = 0.3;
    let r;
    try {
      r = await run(['sign', ...files, '--key', shared.ML_DSA_44.ref, '--json']);
    } finally {
      kms.server.faults.throttleRate = 0;
    }
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).ok),
    ).toEqual(files.map(() => true));
    expect(kms.log.slice(before).filter((l) => l.includes('ThrottlingException')).length).toBeGreaterThan(0);
    const v = await run(['verify', ...files, '--key', shared.ML_DSA_44.pub]);
    expect(v.code, v.stderr).toBe(0);
  });

  it('keeps the other files when one file fails at KMS, and exits with the worst outcome', async () => {
    const good = [0, 1, 2].map((i) => {
      const f = join(dir, `batch-${i}.bin`);
      writeFileSync(f, `batch ${i}`);
      return f;
    });
    const empty = join(dir, 'batch-empty.bin');
    writeFileSync(empty, ''); // KMS RAW needs 1-4096 bytes: this one file gets ValidationException
    const files = [good[0]!, empty, good[1]!, good[2]!];
    const r = await run(['sign', ...files, '--key', shared.ML_DSA_44.ref, '--message-type', 'raw', '--json']);
    expect(r.code).toBe(3);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.ok)).toEqual([true, false, true, true]);
    expect(lines[1]).toMatchObject({ file: empty, error: { code: 'ERR_KMS', detail: 'ValidationException' } });
    expect(lines[1].error.message).toMatch(/^.*batch-empty\.bin: KMS Sign failed for .*: ValidationException: 1 validation error detected/);
    for (const f of good) expect((await run(['verify', f, '--key', shared.ML_DSA_44.pub])).code).toBe(0);
    expect(existsSync(`${empty}.sig`)).toBe(false);

    const mixed = await run(['sign', good[0]!, join(dir, 'missing.bin'), '--key', shared.ML_DSA_44.ref]);
    expect(mixed.code).toBe(2);
    const worst = await run(['sign', good[0]!, join(dir, 'missing.bin'), empty, '--key', shared.ML_DSA_44.ref, '--message-type', 'raw']);
    expect(worst.code).toBe(3);
  });

  it('kms describe shows the key; errors are one line', async () => {
    const r = await run(['kms', 'describe', '--key', kms.ref('alias/disabled'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ keyState: 'Disabled', enabled: false, keyFingerprint: null, aliases: ['alias/disabled'] });
    const human = await run(['kms', 'describe', '--key', shared.ML_DSA_87.ref]);
    expect(human.stdout).toMatch(/key spec\s+ML_DSA_87 \(ML-DSA-87\)/);
    expect(human.stdout).toMatch(/sha256\s+[0-9a-f]{64}/);
    const dup = await run(['kms', 'create-key', '--alias', 'alias/shared-87', '--endpoint', kms.authority]);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toMatch(/alias alias\/shared-87 already exists/);
    const badSpec = await run(['kms', 'create-key', '--spec', 'RSA_2048', '--endpoint', kms.authority]);
    expect(badSpec.code).toBe(2);
  });
});

describe('pqsign with a restarted local KMS', () => {
  it('signs with the same alias and the same public key after a restart on the same data dir', async () => {
    const dir = tempDir();
    const dataDir = join(dir, 'kms');
    const env = childEnv();
    const first = await startKmsServer({ credential: CREDENTIAL, dataDir });
    let firstPub: string;
    try {
      const authority = first.url.slice('http://'.length);
      expect((await pqsignAsync(['kms', 'create-key', '--alias', 'alias/release', '--endpoint', authority], { env })).code).toBe(0);
      const pub = await pqsignAsync(['pubkey', '--key', `awskms://${authority}/alias/release`], { env });
      expect(pub.code).toBe(0);
      firstPub = pub.stdout;
    } finally {
      await first.close();
    }
    const second = await startKmsServer({ credential: CREDENTIAL, dataDir });
    try {
      const ref = `awskms://${second.url.slice('http://'.length)}/alias/release`;
      expect(second.port).not.toBe(first.port);
      const pub = await pqsignAsync(['pubkey', '--key', ref], { env });
      expect(pub.stdout).toBe(firstPub);
      writeFileSync(join(dir, 'pub.pem'), firstPub);
      writeFileSync(join(dir, 'fw.bin'), 'after restart');
      expect((await pqsignAsync(['sign', join(dir, 'fw.bin'), '--key', ref], { env })).code).toBe(0);
      expect((await pqsignAsync(['verify', join(dir, 'fw.bin'), '--key', join(dir, 'pub.pem')], { env })).code).toBe(0);
    } finally {
      await second.close();
    }
  });
});

describe('pqsign sign --concurrency against KMS latency', () => {
  it('100 small files with --latency 25 keep up to 8 Sign requests in flight at KMS, never more', async () => {
    // When each Sign answer ended and how long the server held it: the requests in flight at once,
    // read from the server's side (no wall-clock assertion on a shared machine).
    const signs: { end: number; ms: number }[] = [];
    const log = (line: string) => {
      const m = /^Sign EXTERNAL_MU 200 (\d+)ms$/.exec(line);
      if (m) signs.push({ end: performance.now(), ms: Number(m[1]) });
    };
    const kms = await startTestKms({ log });
    await kms.createKey('ML_DSA_44', 'alias/fast');
    const dir = tempDir();
    const files = Array.from({ length: 100 }, (_, i) => {
      const f = join(dir, `f${i}.bin`);
      writeFileSync(f, `file ${i}`);
      return f;
    });
    kms.server.faults.latencyMs = 25;
    const r = await pqsignAsync(['sign', ...files, '--key', kms.ref('alias/fast'), '--concurrency', '8'], { env: kms.env });
    kms.server.faults.latencyMs = 0;
    expect(r.code, r.stderr).toBe(0);
    expect(signs).toHaveLength(100);
    const events = signs.flatMap((s) => [
      { at: s.end - s.ms, d: 1 },
      { at: s.end, d: -1 },
    ]);
    events.sort((x, y) => x.at - y.at || x.d - y.d);
    let inFlight = 0;
    let most = 0;
    for (const e of events) most = Math.max(most, (inFlight += e.d));
    // serially this is 1; --concurrency 8 bounds it (the server's ms are whole, so allow the rounding)
    expect(most).toBeGreaterThanOrEqual(4);
    expect(most).toBeLessThanOrEqual(8 + 1);
  });
});

describe('pqsign kms serve', () => {
  it('refuses to start without a credential pair or with a bad fault rate (exit 2)', async () => {
    const none = await pqsignAsync(['kms', 'serve', '--port', '0'], { env: { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' } });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/kms serve needs the credential pair/);
    const rate = await pqsignAsync(['kms', 'serve', '--port', '0', '--fail-rate', '1.5'], { env: childEnv() });
    expect(rate.code).toBe(2);
    expect(rate.stderr).toMatch(/fail rate must be between 0 and 1/);
  });

  it('takes its secret from --secret-access-key-file, keeping it out of the process list', async () => {
    const dir = tempDir();
    const secretFile = join(dir, 'secret');
    writeFileSync(secretFile, `${CREDENTIAL.secretAccessKey}\n`, { mode: 0o600 });
    const help = await pqsignAsync(['kms', 'serve', '--help']);
    expect(help.stdout).toMatch(/--secret-access-key .*visible to other\s+users/s);
    expect(help.stdout).toContain('--secret-access-key-file');
    const both = await pqsignAsync(['kms', 'serve', '--port', '0', '--secret-access-key', 'x', '--secret-access-key-file', secretFile], {
      env: childEnv(),
    });
    expect(both).toMatchObject({ code: 2, stderr: 'pqsign: give --secret-access-key or --secret-access-key-file, not both\n' });
    writeFileSync(join(dir, 'empty'), '\n');
    const empty = await pqsignAsync(['kms', 'serve', '--port', '0', '--secret-access-key-file', join(dir, 'empty')], { env: childEnv() });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/is empty/);

    const child = spawn(process.execPath, [CLI, 'kms', 'serve', '--port', '0', '--quiet', '--secret-access-key-file', secretFile], {
      env: { ...process.env, ...childEnv({ AWS_SECRET_ACCESS_KEY: '' }) },
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
        child.once('exit', (code) => reject(new Error(`kms serve exited ${code}`)));
      });
      expect(readFileSync(`/proc/${child.pid}/cmdline`, 'utf8')).not.toContain(CREDENTIAL.secretAccessKey);
      const created = await pqsignAsync(['kms', 'create-key', '--spec', 'ML_DSA_44', '--endpoint', url.slice(7), '--json'], {
        env: childEnv(),
      });
      expect(created.code, created.stderr).toBe(0); // signed with the secret the file holds (its newline is not part of it)
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it('serves until SIGTERM, prints its URL on stdout, persists in --data-dir', async () => {
    const dataDir = join(tempDir(), 'kms');
    const child = spawn(process.execPath, [CLI, 'kms', 'serve', '--port', '0', '--data-dir', dataDir, '--quiet'], {
      env: { ...process.env, ...childEnv() },
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
        child.once('exit', (code) => reject(new Error(`kms serve exited ${code}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const created = await pqsignAsync(['kms', 'create-key', '--spec', 'ML_DSA_44', '--endpoint', url.slice(7), '--json'], {
        env: childEnv(),
      });
      expect(created.code, created.stderr).toBe(0);
      expect(existsSync(join(dataDir, 'keys', `${JSON.parse(created.stdout).keyId}.json`))).toBe(true);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});

describe('pqsign without a configured region', () => {
  it('says so in one line (exit 2) instead of failing inside the SDK', async () => {
    const r = await pqsignAsync(['pubkey', '--key', 'awskms:///alias/anything'], {
      env: childEnv({ AWS_REGION: '', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_PROFILE: '' }),
    });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'pqsign: no AWS region configured for KMS: set AWS_REGION or a region in your AWS profile, or name the key by its ARN',
    );
  });
});

// The AWS CLI (botocore's SigV4 signer and JSON protocol, not the JS SDK) against the local server,
// and pqsign verifying what it signed.
const awsCli = spawnSync('aws', ['--version'], { encoding: 'utf8' });
const HAVE_AWS_CLI = awsCli.status === 0;
const NO_AWS_CLI = 'the AWS CLI is not installed: its interoperability check is skipped';
if (!HAVE_AWS_CLI) console.warn(`SKIP: ${NO_AWS_CLI}`);

describe.skipIf(!HAVE_AWS_CLI)(HAVE_AWS_CLI ? 'the AWS CLI against pqsign kms serve' : NO_AWS_CLI, () => {
  it('creates a key, signs RAW, verifies; pqsign verifies the signature offline', async () => {
    const kms = await startTestKms();
    const dir = tempDir();
    const env = { ...process.env, ...kms.env, AWS_DEFAULT_REGION: kms.server.region };
    // spawnSync blocks this process, which hosts the server: run the AWS CLI asynchronously instead.
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
    const signed = (await awsAsync(
      'sign',
      '--key-id',
      'alias/from-aws-cli',
      '--message',
      `fileb://${msg}`,
      '--message-type',
      'RAW',
      '--signing-algorithm',
      'ML_DSA_SHAKE_256',
    )) as { Signature: string };
    writeFileSync(`${msg}.sig`, Buffer.from(signed.Signature, 'base64'));
    const v = await pqsignAsync(['verify', msg, '--key', kms.ref('alias/from-aws-cli')], { env: kms.env });
    expect(v.code, v.stderr).toBe(0);
    const ours = await pqsignAsync(['sign', msg, '--key', kms.ref('alias/from-aws-cli'), '--out', join(dir, 'ours.sig')], { env: kms.env });
    expect(ours.code).toBe(0);
    const checked = await awsAsync(
      'verify',
      '--key-id',
      'alias/from-aws-cli',
      '--message',
      `fileb://${msg}`,
      '--message-type',
      'RAW',
      '--signing-algorithm',
      'ML_DSA_SHAKE_256',
      '--signature',
      `fileb://${join(dir, 'ours.sig')}`,
    );
    expect(checked).toMatchObject({ SignatureValid: true });
  });
});
