// The CLI against the local KMS: awskms:// references wired through the commands that take a key, KMS
// failures as one line and exit 3, the KMS environment variables bin/ reads, --concurrency, `kms serve`.
// The server runs in this process, the CLI in child processes (pqsignAsync), all of it over HTTP through
// the real AWS SDK. What the KMS signer itself does (EXTERNAL_MU, RAW, DryRun, each KMS error, retries,
// restarts, the oracles, the AWS CLI) is tested in process: test/unit/kms/kms-signing.test.ts.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CreateKeyCommand, DescribeKeyCommand, DisableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { batchWithOneKmsFailure, childEnv, CREDENTIAL, REGION, sharedMlDsaKeys, startTestKms } from '../support/kms-fixture.js';
import { CLI, FIRMWARE, pqsignAsync, tempDir } from '../support/helpers.js';

describe('pqsign with awskms:// keys', async () => {
  const kms = await startTestKms();
  const dir = tempDir();
  const run = (args: string[], env: Record<string, string> = {}) => pqsignAsync(args, { env: { ...kms.env, ...env } });
  // Keys the tests below share, made through the SDK (the first test creates its own through the CLI).
  const shared = await sharedMlDsaKeys(kms, dir);

  it('kms create-key, pubkey, sign, verify --kms and mu take awskms:// keys; a tampered file under --kms is exit 1', async () => {
    const alias = 'alias/fw-wired';
    const created = await run([
      'kms',
      'create-key',
      '--spec',
      'ML_DSA_87',
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
      keySpec: 'ML_DSA_87',
      keyState: 'Enabled',
      aliases: [alias],
      keyRef: kms.ref(alias),
      description: 'firmware',
    });
    const described = await kms.client().send(new DescribeKeyCommand({ KeyId: alias }));
    expect(described.KeyMetadata!.Description).toBe('firmware');
    const ref = facts.keyRef as string;

    const pub = join(dir, 'wired.pub.pem');
    expect((await run(['pubkey', '--key', ref, '--out', pub])).code).toBe(0);
    const file = join(dir, 'wired.bin');
    copyFileSync(FIRMWARE, file);
    const before = kms.log.length;
    const signed = await run(['sign', file, '--key', ref, '--json']);
    expect(signed.code, signed.stderr).toBe(0);
    expect(JSON.parse(signed.stdout)).toMatchObject({
      ok: true,
      algorithm: 'ML-DSA-87',
      signatureBytes: 4627,
      keyFingerprint: facts.keyFingerprint,
    });
    expect(kms.log.slice(before).map((l) => l.replace(/ \d+ms$/, ''))).toEqual(['GetPublicKey 200', 'Sign EXTERNAL_MU 200']);

    const viaKms = await run(['verify', file, '--key', ref, '--kms', '--json']);
    expect(viaKms.code, viaKms.stderr).toBe(0);
    expect(JSON.parse(viaKms.stdout)).toMatchObject({ ok: true, verifiedBy: 'kms', keyFingerprint: facts.keyFingerprint });
    expect(kms.log.at(-1)).toMatch(/^Verify EXTERNAL_MU 200/);
    const mu = await run(['mu', file, '--key', ref]);
    expect(mu.stdout.trim()).toMatch(/^[0-9a-f]{128}$/);

    writeFileSync(file, 'release 1.1');
    const r = await run(['verify', file, '--key', ref, '--kms']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/wired\.bin\.sig: signature does not verify/);
    expect(kms.log.at(-1)).toMatch(/^Verify EXTERNAL_MU 400 KMSInvalidSignatureException/);
    expect((await run(['verify', file, '--key', pub, '--kms'])).stderr).toMatch(/--kms needs --key awskms:\/\//);
  });

  it('--message-type raw signs through KMS RAW, and refuses more than 4096 bytes with exit 2', async () => {
    const { ref } = shared.ML_DSA_44;
    const small = join(dir, 'manifest.json');
    writeFileSync(small, JSON.stringify({ version: '1.0', sha256: 'ab'.repeat(32) }));
    const r = await run(['sign', small, '--key', ref, '--message-type', 'raw']);
    expect(r.code, r.stderr).toBe(0);
    expect(kms.log.at(-1)).toMatch(/^Sign RAW 200/);

    const over = join(dir, 'over.bin');
    writeFileSync(over, Buffer.alloc(4097, 7));
    const tooBig = await run(['sign', over, '--key', ref, '--message-type', 'raw']);
    expect(tooBig.code).toBe(2);
    expect(tooBig.stderr).toMatch(/over\.bin: --message-type raw allows at most 4096 bytes/);
    expect(existsSync(`${over}.sig`)).toBe(false);
  });

  it('--dry-run asks KMS DryRun and writes nothing', async () => {
    const file = join(dir, 'dry.bin');
    writeFileSync(file, 'dry');
    const missing = join(dir, 'nope.bin');
    const r = await run(['sign', file, missing, '--key', shared.ML_DSA_87.ref, '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(2);
    const [ok, gone] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(ok).toMatchObject({ ok: true, dryRun: true, file, algorithm: 'ML-DSA-87', messageType: 'mu' });
    expect(gone).toMatchObject({
      ok: false,
      file: missing,
      error: { code: 'ERR_FILE', message: expect.stringMatching(/nope\.bin: no such file/) },
    });
    expect(kms.log.at(-1)).toMatch(/^Sign EXTERNAL_MU 412 DryRunOperationException/);
    expect(existsSync(`${file}.sig`)).toBe(false);
    const local = await run(['sign', file, '--key', shared.ML_DSA_87.pub, '--dry-run']);
    expect(local.code).toBe(2);
  });

  it('turns a KMS failure into one line and exit 3, naming the KMS error; PQSIGN_KMS_TIMEOUT_MS and AWS_MAX_ATTEMPTS apply', async () => {
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
    kms.server.faults.latencyMs = 1500;
    try {
      await expectKmsFailure(shared.ML_DSA_65.ref, 'TimeoutError', { AWS_MAX_ATTEMPTS: '1', PQSIGN_KMS_TIMEOUT_MS: '300' });
    } finally {
      kms.server.faults.latencyMs = 0;
    }
  });

  it('refuses an AWS_MAX_ATTEMPTS or PQSIGN_KMS_TIMEOUT_MS that is not a positive integer (exit 2)', async () => {
    for (const [name, value] of [
      ['AWS_MAX_ATTEMPTS', '0'],
      ['PQSIGN_KMS_TIMEOUT_MS', '1.5'],
    ] as const) {
      const r = await run(['sign', FIRMWARE, '--key', shared.ML_DSA_65.ref, '--out', join(dir, 'env.sig')], { [name]: value });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`pqsign: ${name} must be a positive integer, got "${value}"\n`);
      expect(existsSync(join(dir, 'env.sig'))).toBe(false);
    }
  });

  it('--fail-rate 1 fails with exit 3 after AWS_MAX_ATTEMPTS attempts and writes nothing', async () => {
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

  it('keeps the other files when one file fails at KMS, and exits with the worst outcome', async () => {
    const { good, empty } = batchWithOneKmsFailure(dir);
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
    for (const f of good) expect(existsSync(`${f}.sig`)).toBe(true);
    expect(existsSync(`${empty}.sig`)).toBe(false);

    const mixed = await run(['sign', good[0]!, join(dir, 'missing.bin'), '--key', shared.ML_DSA_44.ref]);
    expect(mixed.code).toBe(2);
    const worst = await run(['sign', good[0]!, join(dir, 'missing.bin'), empty, '--key', shared.ML_DSA_44.ref, '--message-type', 'raw']);
    expect(worst.code).toBe(3);
  });

  it('kms describe shows the key as text; errors are one line', async () => {
    const human = await run(['kms', 'describe', '--key', shared.ML_DSA_87.ref]);
    expect(human.stdout).toMatch(/key spec\s+ML_DSA_87 \(ML-DSA-87\)/);
    expect(human.stdout).toMatch(/sha256\s+[0-9a-f]{64}/);
    const dup = await run(['kms', 'create-key', '--alias', 'alias/shared-87', '--endpoint', kms.authority]);
    expect(dup.code).toBe(2);
    expect(dup.stderr.trim()).toMatch(/^pqsign: \S+alias\/shared-87: alias alias\/shared-87 already exists[^\n]*$/);
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

/** CreateKey through the SDK at a `kms serve` child's URL, signed with the test credential. */
async function createKeyAt(url: string) {
  const client = new KMSClient({ endpoint: url, region: REGION, credentials: CREDENTIAL });
  try {
    return (await client.send(new CreateKeyCommand({ KeySpec: 'ML_DSA_44', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;
  } finally {
    client.destroy();
  }
}

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
      // a request signed with the secret the file holds (its newline is not part of it) is accepted
      expect((await createKeyAt(url)).KeySpec).toBe('ML_DSA_44');
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
      const created = await createKeyAt(url);
      expect(existsSync(join(dataDir, 'keys', `${created.KeyId}.json`))).toBe(true);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
