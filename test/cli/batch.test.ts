// Batch verification (worker threads, ordered streaming output, worst exit code), release manifests
// (sign --manifest-out / verify --manifest, key pinning, schema errors) and --recursive pairing.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../../src/batch/manifest.js';
import { pairTree } from '../../src/batch/tree.js';
import { verifyPath } from '../../src/pipeline/verify.js';
import { loadPublicKey } from '../../src/pipeline/keyref.js';
import { keyFingerprint } from '../../src/keys/fingerprint.js';
import { node24, NO_NODE24 } from '../../bench/lib/node24.js';
import { registeredFormats } from '../../src/pipeline/registry.js';
import { CLI, ROOT, pqsign, tempDir } from '../support/helpers.js';
import { writeKeyPair } from '../support/keygen.js';

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
let fp2 = '';

/** n small distinct files under `at`, signed with `k`; returns their paths. */
function signedFiles(at: string, n: number, k = key, extra: string[] = []): string[] {
  mkdirSync(at, { recursive: true });
  const files = Array.from({ length: n }, (_, i) => join(at, `fw-${String(i).padStart(2, '0')}.bin`));
  files.forEach((f, i) => writeFileSync(f, `image ${i} of ${at}\n`.repeat(50 + i)));
  const r = pqsign(['sign', ...files, '--key', k, ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return files;
}

beforeAll(async () => {
  writeKeyPair(key, pub);
  writeKeyPair(key2, pub2);
  fp = keyFingerprint((await loadPublicKey(pub)).publicKey);
  fp2 = keyFingerprint((await loadPublicKey(pub2)).publicKey);
});

describe('verify FILE... with worker threads', () => {
  it('streams one JSON line per file in input order, exit code = worst, the same output with --jobs 3, --jobs 1 and the default', () => {
    const files = signedFiles(join(dir, 'order'), 9);
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
    const files = signedFiles(join(dir, 'pool'), 10);
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

  it('caps --jobs at the CPU count, with a warning (verify, attest, verify-attestation)', () => {
    const files = signedFiles(join(dir, 'cap'), 2);
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

  it('gives workers the resolved key: an encrypted private key is decrypted once, in the main thread', () => {
    const enc = join(dir, 'enc.pem');
    const pass = join(dir, 'pass.txt');
    writeFileSync(pass, 'correct horse\n');
    expect(pqsign(['keygen', '--out', enc, '--encrypt', '--passphrase-file', pass]).code).toBe(0);
    const files = signedFiles(join(dir, 'enc'), 6, enc, ['--passphrase-file', pass]);
    const r = pqsign(['verify', ...files, '--key', enc, '--passphrase-file', pass, '--jobs', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout).every((l) => l.ok)).toBe(true);
  });

  it('refuses bad --jobs, no trust input and no input; several --key are a key set', () => {
    const f = signedFiles(join(dir, 'usage'), 1);
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

  it.skipIf(!node24())('under Node 24: workers use the native back-end and agree with the portable one', () => {
    const files = signedFiles(join(dir, 'n24'), 5);
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
    const files = [...signedFiles(join(rel, 'boot'), 3), ...signedFiles(join(rel, 'app'), 3)];
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

  it("pins keys: another key's signature fails, an unknown pinned key fails, a key set serves several pins", () => {
    const rel = join(dir, 'pins');
    const a = signedFiles(join(rel, 'a'), 2);
    const b = signedFiles(join(rel, 'b'), 2, key2);
    const manifest = join(rel, 'm.jsonl');
    const line = (f: string, k: string) =>
      JSON.stringify({
        pqsignManifest: 1,
        artifact: relative(rel, f),
        signature: `${relative(rel, f)}.sig`,
        format: 'raw',
        keyFingerprint: k,
      });
    writeFileSync(manifest, [...a.map((f) => line(f, fp)), ...b.map((f) => line(f, fp2))].join('\n') + '\n');
    expect(pqsign(['verify', '--manifest', manifest, '--key', pub, '--key', pub2]).code).toBe(0);

    const onlyOne = pqsign(['verify', '--manifest', manifest, '--key', pub, '--json']);
    expect(onlyOne.code).toBe(2);
    expect(jsonLines(onlyOne.stdout).map((l) => l.error?.code ?? 'ok')).toEqual(['ok', 'ok', 'ERR_KEY_MISMATCH', 'ERR_KEY_MISMATCH']);

    copyFileSync(`${b[0]}.sig`, `${a[0]}.sig`); // a[0] now carries a (valid) signature by key2, but the manifest pins key 1
    const swapped = pqsign(['verify', '--manifest', manifest, '--key', pub, '--key', pub2, '--json']);
    expect(swapped.code).toBe(1);
    expect(jsonLines(swapped.stdout)[0]!.error!.code).toBe('ERR_SIGNATURE_INVALID');
  });

  it('a valid signature by a key other than the pinned one is rejected even when the format verifies it', async () => {
    const [f] = signedFiles(join(dir, 'pinpath'), 1, key2);
    const key2pub = await loadPublicKey(pub2);
    // the trust rules hold key 2; the manifest entry pins key 1, which is not among them
    const rules = { keys: [{ sha256: fp2, key: { alg: key2pub.params.name, publicKey: key2pub.publicKey } }], anchors: [] };
    await expect(verifyPath(f!, { rules, context: new Uint8Array(0), formatOptions: {}, pin: fp2 })).resolves.toMatchObject({
      keyFingerprint: fp2,
    });
    await expect(verifyPath(f!, { rules, context: new Uint8Array(0), formatOptions: {}, pin: fp })).rejects.toMatchObject({
      code: 'ERR_KEY_MISMATCH',
      detail: 'pinned-key',
    });
  });

  it('records the context: a manifest whose context was changed fails', () => {
    const rel = join(dir, 'ctx');
    const files = signedFiles(join(rel, 'x'), 2, key, ['--context', 'aa']);
    const manifest = join(rel, 'm.jsonl');
    expect(pqsign(['sign', ...files, '--key', key, '--context', 'aa', '--manifest-out', manifest]).code).toBe(0);
    expect(pqsign(['verify', '--manifest', manifest, '--key', pub]).code).toBe(0);
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replaceAll('"context":"aa"', '"context":"ab"'));
    expect(pqsign(['verify', '--manifest', manifest, '--key', pub]).code).toBe(1);
    expect(pqsign(['verify', '--manifest', manifest, '--key', pub, '--context', 'aa']).code).toBe(2);
  });

  it('is all or nothing: a failed file means no manifest', () => {
    const rel = join(dir, 'partial');
    const files = signedFiles(join(rel, 'x'), 2);
    const manifest = join(rel, 'm.jsonl');
    const r = pqsign(['sign', ...files, join(rel, 'nope.bin'), '--key', key, '--manifest-out', manifest]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not written');
    expect(existsSync(manifest)).toBe(false);
  });

  it.each([
    ['not JSON', '{"pqsignManifest":1,', /line 1: is not JSON/],
    ['no version', '{"artifact":"a"}', /line 1: has no "pqsignManifest" version/],
    ['newer version', '{"pqsignManifest":2,"artifact":"a","signature":"a.sig","format":"raw","keyFingerprint":"FP"}', /manifest version 2/],
    [
      'unknown field',
      '{"pqsignManifest":1,"artifact":"a","signature":"a.sig","format":"raw","keyFingerprint":"FP","size":3}',
      /unknown field "size"/,
    ],
    [
      'absolute path',
      '{"pqsignManifest":1,"artifact":"/etc/passwd","signature":"a.sig","format":"raw","keyFingerprint":"FP"}',
      /"artifact" must be a path relative/,
    ],
    [
      'bad fingerprint',
      '{"pqsignManifest":1,"artifact":"a","signature":"a.sig","format":"raw","keyFingerprint":"abc"}',
      /"keyFingerprint" must be 64/,
    ],
    [
      'unknown format',
      '{"pqsignManifest":1,"artifact":"a","signature":"a.sig","format":"zip","keyFingerprint":"FP"}',
      /unknown format "zip"/,
    ],
    [
      'long context',
      `{"pqsignManifest":1,"artifact":"a","signature":"a.sig","format":"raw","keyFingerprint":"FP","context":"${'00'.repeat(256)}"}`,
      /at most 255/,
    ],
    ['empty', '\n\n', /lists no artifacts/],
  ])('rejects a manifest with %s (exit 2, one line naming the file)', (_, body, message) => {
    const m = join(dir, `bad-${Math.random().toString(36).slice(2)}.jsonl`);
    writeFileSync(m, body.replace('FP', 'a'.repeat(64)));
    const r = pqsign(['verify', '--manifest', m, '--key', pub]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`pqsign: ${m}: `);
    expect(r.stderr).toMatch(message);
  });
});

describe('verify --recursive', () => {
  it("pairs by the formats' suffixes; unsigned files and orphan signatures fail the batch", async () => {
    const tree = join(dir, 'tree');
    const signed = [...signedFiles(join(tree, 'a'), 2), ...signedFiles(join(tree, 'b', 'c'), 2)];
    writeFileSync(join(tree, 'README.txt'), 'unsigned\n');
    copyFileSync(`${signed[0]}.sig`, join(tree, 'orphan.bin.sig'));
    symlinkSync(join(tree, 'a'), join(tree, 'loop')); // directory symlinks are not followed

    const pairs = await pairTree(tree, ['.sig']);
    // every artifact once (verifyPath checks all signatures beside it), and orphan signatures on their own
    expect(pairs).toEqual([
      { file: join(tree, 'README.txt') },
      { file: signed[0] },
      { file: signed[1] },
      { file: signed[2] },
      { file: signed[3] },
      { file: join(tree, 'orphan.bin.sig') },
    ]);

    const r = pqsign(['verify', '--recursive', tree, '--key', pub, '--json']);
    expect(r.code).toBe(2);
    const lines = jsonLines(r.stdout);
    expect(lines.map((l) => [l.file, l.ok])).toEqual(
      pairs.map((p) => [p.file, !p.file.endsWith('README.txt') && !p.file.endsWith('orphan.bin.sig')]),
    );
    expect(lines[0]!.error!.message).toContain('no signature found');
    expect(lines[5]!.error!.message).toContain('it is the size of an ML-DSA-65 signature: give its artifact');

    const clean = join(dir, 'clean');
    signedFiles(join(clean, 'x'), 3);
    expect(pqsign(['verify', '--recursive', clean, '--key', pub, '--jobs', '2']).code).toBe(0);
    expect(pqsign(['verify', '--recursive', join(clean, 'x', 'fw-00.bin'), '--key', pub]).code).toBe(2);
  });
});

// Containers that embed their payload (uefi: FILE.signed), once that format is registered.
const HAVE_UEFI = registeredFormats().some((f) => f.name === 'uefi');
if (!HAVE_UEFI) console.warn('SKIP: embedded-container pairing: the uefi format is not registered on this branch');
describe.skipIf(!HAVE_UEFI)('embedding containers (uefi)', () => {
  it('--recursive checks FILE against the payload inside FILE.signed; --manifest-out records "embedded"', () => {
    const tree = join(dir, 'uefi');
    mkdirSync(tree);
    const [a, b] = [join(tree, 'a.bin'), join(tree, 'b.bin')];
    writeFileSync(a, 'capsule payload a\n');
    writeFileSync(b, 'capsule payload b\n');
    const manifest = join(tree, 'release.jsonl');
    const s = pqsign(['sign', a, b, '--key', key, '--format', 'uefi', '--monotonic-count', '7', '--manifest-out', manifest]);
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(readFileSync(manifest, 'utf8').split('\n')[0]!)).toMatchObject({
      artifact: 'a.bin.signed',
      signature: 'embedded',
      format: 'uefi',
    });
    expect(pqsign(['verify', '--manifest', manifest, '--key', pub]).code).toBe(0);
    writeFileSync(manifest, ''); // the manifest itself is not part of the tree under test
    const ok = pqsign(['verify', '--recursive', tree, '--key', pub, '--json']);
    expect(
      jsonLines(ok.stdout)
        .filter((l) => l.file !== manifest)
        .map((l) => [l.file, l.ok]),
    ).toEqual([
      [a, true],
      [b, true],
    ]);
    writeFileSync(b, 'capsule payload B\n');
    const bad = pqsign(['verify', '--recursive', tree, '--key', pub, '--json']);
    const lineB = jsonLines(bad.stdout).find((l) => l.file === b)!;
    expect(lineB.error).toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
    expect(lineB.error!.message).toContain('differs from the payload signed inside');
  });
});
