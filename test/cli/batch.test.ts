// Batch verification through the CLI (worker threads, ordered streaming output, worst exit code, --jobs),
// release manifests (sign --manifest-out / verify --manifest) and --recursive as flags. What a manifest or a
// tree pairing means (key pinning, recorded contexts, schema errors, embedded containers) is tested in
// process: test/unit/batch/. Input files are signed in process (test/support/batch-jobs.ts).
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../../src/batch/manifest.js';
import { loadPublicKey } from '../../src/pipeline/keyref.js';
import { keyFingerprint } from '../../src/keys/fingerprint.js';
import { node24, NO_NODE24 } from '../../bench/lib/node24.js';
import { CLI, ROOT, pqsign, tempDir } from '../support/helpers.js';
import { writeKeyPair } from '../support/keygen.js';
import { signedFiles as signedIn } from '../support/batch-jobs.js';

interface Line {
  file: string;
  ok: boolean;
  error?: { code: string; message: string };
  keyFingerprint?: string;
}
const jsonLines = (out: string): Line[] =>
  out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);

const dir = tempDir('pqsign-batch-');
const key = join(dir, 'k.pem');
const pub = join(dir, 'k.pub');
const key2 = join(dir, 'k2.pem');
const pub2 = join(dir, 'k2.pub');
let fp = '';

/** n small distinct files under `at`, signed with `k` (in this process); their paths. */
const signedFiles = (at: string, n: number, k = key, o: { context?: string; passphrase?: string } = {}) => signedIn(at, n, k, o);

beforeAll(async () => {
  writeKeyPair(key, pub);
  writeKeyPair(key2, pub2);
  fp = keyFingerprint((await loadPublicKey(pub)).publicKey);
});

describe('verify FILE... with worker threads', () => {
  it('streams one JSON line per file in input order, exit code = worst, the same output with --jobs 3, --jobs 1 and the default', async () => {
    const files = await signedFiles(join(dir, 'order'), 9);
    writeFileSync(files[2]!, 'tampered\n'); // 1: invalid
    const missing = join(dir, 'order', 'missing.bin'); // 2: input error
    const inputs = [...files.slice(0, 4), missing, ...files.slice(4)];
    const runs = [['--jobs', '3'], ['--jobs', '1'], []].map((j) => pqsign(['verify', ...inputs, '--key', pub, '--json', ...j]));
    for (const r of runs) {
      expect(r.code).toBe(2);
      const lines = jsonLines(r.stdout);
      expect(lines.map((l) => l.file)).toEqual(inputs);
      expect(lines.map((l) => (l.ok ? 'ok' : l.error!.code))).toEqual(
        inputs.map((f) => (f === files[2] ? 'ERR_SIGNATURE_INVALID' : f === missing ? 'ERR_FILE' : 'ok')),
      );
    }
    expect(runs[0]!.stdout).toBe(runs[1]!.stdout);
    const onlyInvalid = pqsign(['verify', ...files, '--key', pub, '--jobs', '2']);
    expect(onlyInvalid.code).toBe(1);
    expect(onlyInvalid.stderr).toContain(`${files[2]}.sig: signature does not verify`);
  });

  it('workers alone (mainThread: false) give the same verdicts as this thread alone', async () => {
    // from dist/: the pool starts dist/lib/verify-worker.js, and this thread needs dist's registry filled
    await import(join(ROOT, 'dist', 'lib', 'builtins.js'));
    const { verifyJobs } = (await import(join(ROOT, 'dist', 'src', 'batch', 'batch.js'))) as typeof import('../../src/batch/batch.js');
    const { VERIFY_WORKER_URL } = (await import(join(ROOT, 'dist', 'lib', 'worker-url.js'))) as typeof import('../../lib/worker-url.js');
    const { loadPublicKey: load } = (await import(
      join(ROOT, 'dist', 'src', 'pipeline', 'keyref.js')
    )) as typeof import('../../src/pipeline/keyref.js');
    const files = await signedFiles(join(dir, 'pool'), 10);
    writeFileSync(files[7]!, 'tampered\n');
    const jobs = [...files, join(dir, 'pool', 'missing.bin')].map((file) => ({ file, context: new Uint8Array(0) }));
    const k = await load(pub);
    const shared = {
      rules: { keys: [{ sha256: keyFingerprint(k.publicKey), key: { alg: k.params.name, publicKey: k.publicKey } }], anchors: [] },
      formatOptions: {},
    };
    const verdicts = async (opts: { threads: number; mainThread?: boolean; workerWorthMs?: number }, workers: number) => {
      const out: string[] = new Array(jobs.length);
      const r = await verifyJobs(
        jobs,
        shared,
        { ...opts, workerUrl: VERIFY_WORKER_URL },
        (r, i) => void (out[i] = r.ok ? `ok ${r.value.params.name} ${r.value.keyFingerprint}` : (r.error as { code: string }).code),
      );
      expect(r.workers).toBe(workers);
      return out;
    };
    const expected = jobs.map((j) =>
      j.file === files[7] ? 'ERR_SIGNATURE_INVALID' : j.file.endsWith('missing.bin') ? 'ERR_FILE' : `ok ML-DSA-65 ${fp}`,
    );
    expect(await verdicts({ threads: 2, mainThread: false }, 2)).toEqual(expected);
    expect(await verdicts({ threads: 1, mainThread: false }, 1)).toEqual(expected);
    expect(await verdicts({ threads: 1 }, 0)).toEqual(expected);
    // this thread and two workers started at once
    expect(await verdicts({ threads: 3, workerWorthMs: 0 }, 2)).toEqual(expected);
    // by default a batch this thread finishes alone in well under a second starts no worker (each costs a
    // module load and a JIT warm-up it would never earn back)
    expect(await verdicts({ threads: 3 }, 0)).toEqual(expected);
  });

  it('caps --jobs at the CPU count, with a warning (verify, attest, verify-attestation)', async () => {
    const files = await signedFiles(join(dir, 'cap'), 2);
    const over = String(availableParallelism() + 5);
    const warning = `pqsign: warning: --jobs ${over} is more than the ${availableParallelism()} CPUs available; using ${availableParallelism()}\n`;
    const v = pqsign(['verify', ...files, '--key', pub, '--jobs', over]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stderr.startsWith(warning), v.stderr).toBe(true);
    const bundle = join(dir, 'cap', 'b.intoto.jsonl');
    const a = pqsign(
      [
        'attest',
        ...files,
        '--base-dir',
        join(dir, 'cap'),
        '--key',
        key,
        '--builder-id',
        'https://ci.example.com/b',
        '--out',
        bundle,
        '--jobs',
        over,
      ],
      { env: { GITHUB_ACTIONS: '' } },
    );
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).toContain(warning);
    const va = pqsign(['verify-attestation', bundle, '--key', pub, '--jobs', over]);
    expect(va.code, va.stderr).toBe(0);
    expect(va.stderr).toContain(warning);
  });

  it('gives workers the resolved key: an encrypted private key is decrypted once, in the main thread', async () => {
    const enc = join(dir, 'enc.pem');
    const pass = join(dir, 'pass.txt');
    writeFileSync(pass, 'correct horse\n');
    expect(pqsign(['keygen', '--out', enc, '--encrypt', '--passphrase-file', pass]).code).toBe(0);
    const files = await signedFiles(join(dir, 'enc'), 6, enc, { passphrase: 'correct horse' });
    const r = pqsign(['verify', ...files, '--key', enc, '--passphrase-file', pass, '--jobs', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout).every((l) => l.ok)).toBe(true);
  });

  it('refuses bad --jobs, no trust input and no input; several --key are a key set', async () => {
    const f = await signedFiles(join(dir, 'usage'), 1);
    expect(pqsign(['verify', ...f, '--key', pub2, '--key', pub]).code).toBe(0);
    for (const args of [
      [...f, '--key', pub, '--jobs', '0'],
      [...f, '--key', pub, '--jobs', '1.5'],
      [...f],
      ['--key', pub],
      [...f, '--recursive', dir, '--key', pub],
    ]) {
      const r = pqsign(['verify', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^pqsign: /);
    }
  });

  it.skipIf(!node24())('under Node 24: workers use the native back-end and agree with the portable one', async () => {
    const files = await signedFiles(join(dir, 'n24'), 5);
    writeFileSync(files[3]!, 'tampered\n');
    const out = ['native', 'portable'].map((b) =>
      spawnSync(node24()!, [CLI, 'verify', ...files, '--key', pub, '--jobs', '2', '--json'], {
        encoding: 'utf8',
        env: { ...process.env, PQSIGN_MLDSA_BACKEND: b },
      }),
    );
    for (const r of out) {
      expect(r.status).toBe(1);
      expect(jsonLines(r.stdout).map((l) => l.ok)).toEqual([true, true, true, false, true]);
    }
  });
  if (!node24()) it.skip(NO_NODE24, () => undefined);
});

describe('release manifests', () => {
  it('sign --manifest-out writes relative paths; verify --manifest checks every entry from any working directory', async () => {
    const rel = join(dir, 'release');
    const files = [...(await signedFiles(join(rel, 'boot'), 3)), ...(await signedFiles(join(rel, 'app'), 3))];
    // a manifest outside the artifacts' directory would need "..", which readers refuse: sign refuses to write it
    mkdirSync(join(rel, 'meta'));
    const outside = pqsign(['sign', ...files, '--key', key, '--context', '0102', '--manifest-out', join(rel, 'meta', 'release.jsonl')]);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/outside the manifest's directory/);
    const manifest = join(rel, 'release.jsonl');
    const s = pqsign(['sign', ...files, '--key', key, '--context', '0102', '--manifest-out', manifest]);
    expect(s.code, s.stderr).toBe(0);
    const lines = readFileSync(manifest, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toEqual({
      pqsignManifest: 1,
      artifact: 'boot/fw-00.bin',
      signature: 'boot/fw-00.bin.sig',
      format: 'raw',
      keyFingerprint: fp,
      context: '0102',
    });
    expect(lines.map((l) => l.artifact)).toEqual(files.map((f) => relative(rel, f)));
    const entries = await readManifest(manifest);
    expect(entries.map((e) => e.artifact)).toEqual(files);

    const v = pqsign(['verify', '--manifest', manifest, '--key', pub, '--json', '--jobs', '2'], { cwd: '/' });
    expect(v.code, v.stderr).toBe(0);
    expect(jsonLines(v.stdout).map((l) => [l.file, l.ok, l.keyFingerprint])).toEqual(files.map((f) => [f, true, fp]));
  });

  it('--context does not go with --manifest: each entry records its own (exit 2)', async () => {
    const rel = join(dir, 'ctx');
    const files = await signedFiles(join(rel, 'x'), 1, key, { context: 'aa' });
    const manifest = join(rel, 'm.jsonl');
    expect(pqsign(['sign', ...files, '--key', key, '--context', 'aa', '--manifest-out', manifest]).code).toBe(0);
    const r = pqsign(['verify', '--manifest', manifest, '--key', pub, '--context', 'aa']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('pqsign: --context does not apply to --manifest: each entry records the context it was signed with\n');
  });

  it('is all or nothing: a failed file means no manifest', async () => {
    const rel = join(dir, 'partial');
    const files = await signedFiles(join(rel, 'x'), 2);
    const manifest = join(rel, 'm.jsonl');
    const r = pqsign(['sign', ...files, join(rel, 'nope.bin'), '--key', key, '--manifest-out', manifest]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not written');
    expect(existsSync(manifest)).toBe(false);
  });

  it('rejects a malformed manifest in one line naming the file (exit 2)', () => {
    const m = join(dir, 'bad.jsonl');
    writeFileSync(
      m,
      '{"pqsignManifest":1,"artifact":"/etc/passwd","signature":"a.sig","format":"raw","keyFingerprint":"FP"}'.replace(
        'FP',
        'a'.repeat(64),
      ),
    );
    const r = pqsign(['verify', '--manifest', m, '--key', pub]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`pqsign: ${m}: `);
    expect(r.stderr).toMatch(/"artifact" must be a path relative/);
  });
});

describe('verify --recursive', () => {
  it('verifies a tree with --jobs; refuses a file where a directory belongs (exit 2)', async () => {
    const clean = join(dir, 'clean');
    await signedFiles(join(clean, 'x'), 3);
    const r = pqsign(['verify', '--recursive', clean, '--key', pub, '--jobs', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout).map((l) => [relative(clean, l.file), l.ok])).toEqual(
      ['x/fw-00.bin', 'x/fw-01.bin', 'x/fw-02.bin'].map((f) => [f, true]),
    );
    expect(pqsign(['verify', '--recursive', join(clean, 'x', 'fw-00.bin'), '--key', pub]).code).toBe(2);
  });
});
