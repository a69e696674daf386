// The trailer plugin end to end: sign with a KMS key (pqsign's local KMS server, spoken to by the real
// AWS SDK inside pqsign), then verify with the installed pqsign CLI loading the plugin by --plugin.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePublicKey, inspect, sign, verify } from 'pqsign';
import { createKmsKey, kmsPublicKey } from 'pqsign/kms';
import { startKmsServer } from 'pqsign/kms-server';
import { trailer } from '../src/trailer.js';

const PLUGIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'trailer.js');
const pkg = createRequire(import.meta.url).resolve('pqsign/package.json');
const CLI = join(dirname(pkg), (JSON.parse(readFileSync(pkg, 'utf8')) as { bin: { pqsign: string } }).bin.pqsign);

// The local KMS accepts one credential pair; the SDK (in this process and in the CLI's) signs with it.
const credential = { accessKeyId: 'AKIAEXAMPLETRAILER01', secretAccessKey: 'example-trailer-secret-0123456789abcdef' };
const env = {
  ...process.env,
  AWS_ACCESS_KEY_ID: credential.accessKeyId,
  AWS_SECRET_ACCESS_KEY: credential.secretAccessKey,
  AWS_SESSION_TOKEN: '',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
};
Object.assign(process.env, env);
const kms = await startKmsServer({ credential });
after(() => kms.close());

const dir = mkdtempSync(join(tmpdir(), 'trailer-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const firmware = join(dir, 'firmware.bin');
writeFileSync(
  firmware,
  new Uint8Array(200_000).map((_, i) => (i * 7) & 0xff),
);

/** The installed CLI; asynchronous, because this process serves the KMS the CLI may call. */
function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, ...args], { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
const cli = (args: string[]) => run(['--plugin', PLUGIN, ...args]);

test('sign with a KMS key in-process; the pqsign CLI verifies it with --plugin', async () => {
  const key = await createKmsKey({ spec: 'ML_DSA_65', alias: 'alias/trailer', tags: [], endpoint: `${kms.host}:${kms.port}` });
  const signed = await sign({ artifact: firmware, key: key.keyRef, format: trailer, output: `${firmware}.trailer` });
  assert.equal(signed.algorithm, 'ML-DSA-65');
  const image = readFileSync(`${firmware}.trailer`);
  assert.equal(image.length, 200_000 + 3309 + 16);
  assert.deepEqual(image.subarray(0, 200_000), readFileSync(firmware)); // the payload is the image's start
  assert.equal(image.subarray(-16, -8).toString('latin1'), 'PQTRAILR');

  writeFileSync(join(dir, 'kms.pub'), await encodePublicKey(await kmsPublicKey(key.keyRef)));
  const ok = await cli(['verify', 'firmware.bin', '--format', 'trailer', '--key', 'kms.pub', '--json']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).keyFingerprint, signed.keyFingerprint);
  // the KMS key itself as the trusted key (its public key fetched by the CLI's own SDK)
  assert.equal((await cli(['verify', 'firmware.bin', '--format', 'trailer', '--key', key.keyRef])).status, 0);

  // several images in one verify (a batch large enough for worker threads loads the plugin in each: test/plugin-workers.test.ts in pqsign)
  writeFileSync(join(dir, 'second.bin'), 'second image');
  await sign({ artifact: join(dir, 'second.bin'), key: key.keyRef, format: trailer, output: join(dir, 'second.bin.trailer') });
  const both = await cli(['verify', 'firmware.bin', 'second.bin', '--format', 'trailer', '--key', 'kms.pub', '--jobs', '2', '--json']);
  assert.equal(both.status, 0, both.stderr);
  assert.deepEqual(
    both.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).format),
    ['trailer', 'trailer'],
  );

  const facts = await cli(['inspect', 'firmware.bin.trailer', '--format', 'trailer', '--json']);
  assert.equal(facts.status, 0, facts.stderr);
  assert.deepEqual(JSON.parse(facts.stdout), {
    file: 'firmware.bin.trailer',
    format: 'trailer',
    algorithm: 'ML-DSA-65',
    payloadBytes: 200_000,
    signatureBytes: 3309,
    footerBytes: 16,
  });

  // in-process too, with the image beside the artifact
  const v = await verify({ input: firmware, format: trailer, keys: await kmsPublicKey(key.keyRef) });
  assert.equal(v.format, 'trailer');
  assert.equal((await inspect(`${firmware}.trailer`, { format: trailer })).payloadBytes, 200_000);
});

test('a changed payload, signature or footer does not verify (exit 1 or 2), and nothing else counts', async () => {
  const good = readFileSync(`${firmware}.trailer`);
  const flip = (at: number) => {
    const bad = Buffer.from(good);
    bad[at < 0 ? bad.length + at : at]! ^= 1;
    writeFileSync(`${firmware}.trailer`, bad);
  };
  try {
    flip(100); // payload: the image no longer matches its signature
    let r = await cli(['verify', 'firmware.bin', '--format', 'trailer', '--key', 'kms.pub']);
    assert.equal(r.status, 1, r.stderr);
    flip(200_000 + 10); // signature
    assert.equal((await cli(['verify', 'firmware.bin', '--format', 'trailer', '--key', 'kms.pub'])).status, 1);
    flip(-6); // a reserved footer byte (footer[10])
    r = await cli(['verify', 'firmware.bin', '--format', 'trailer', '--key', 'kms.pub']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /reserved footer bytes/);
    // another key: not trusted
    writeFileSync(`${firmware}.trailer`, good);
    const other = await createKmsKey({ spec: 'ML_DSA_65', tags: [], endpoint: `${kms.host}:${kms.port}` });
    writeFileSync(join(dir, 'other.pub'), await encodePublicKey(await kmsPublicKey(other.keyRef)));
    assert.equal((await cli(['verify', 'firmware.bin', '--format', 'trailer', '--key', 'other.pub'])).status, 1);
    // without the plugin the CLI does not know the format
    const r2 = await run(['verify', 'firmware.bin', '--format', 'trailer', '--key', 'kms.pub']);
    assert.equal(r2.status, 2);
    assert.match(r2.stderr, /unknown format "trailer"/);
  } finally {
    writeFileSync(`${firmware}.trailer`, good);
  }
});
