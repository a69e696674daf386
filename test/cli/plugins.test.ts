// Third-party formats: registerFormat checks a plugin's structure before anything is signed with it, the
// CLI loads plugins only from --plugin, and batch worker threads load the same plugin modules as the thread
// that started them (otherwise a worker would not find the plugin's containers and fail the file).
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, pqsign } from '../support/helpers.js';
import { registerFormat, registeredFormats } from '../../src/pipeline/registry.js';
import type { Format } from '../../src/pipeline/format.js';

const raw = registeredFormats().find((f) => f.name === 'raw')!;
const like = (over: Partial<Record<keyof Format, unknown>>) => ({ ...raw, ...over }) as Format;

describe('registerFormat', () => {
  it.each([
    ['a name taken by a built-in', like({ name: 'cms', suffix: '.other' }), /clashes with the registered format "cms"/],
    ['a suffix taken by a built-in', like({ name: 'mine', suffix: '.p7s' }), /clashes with the registered format "cms"/],
    ['a name that is not lower-case', like({ name: 'Mine', suffix: '.mine' }), /name must match/],
    ['a suffix without a dot', like({ name: 'mine', suffix: 'mine' }), /suffix must be/],
    ['a suffix with a path separator', like({ name: 'mine', suffix: '.a/b' }), /suffix must be/],
    ['no verify function', like({ name: 'mine', suffix: '.mine', verify: undefined }), /verify must be a function/],
  ])('refuses %s (ERR_PLUGIN)', (_what, format, message) => {
    expect(() => registerFormat(format)).toThrow(expect.objectContaining({ code: 'ERR_PLUGIN', message: expect.stringMatching(message) }));
    expect(registeredFormats().map((f) => f.name)).not.toContain('mine');
  });
});

// A small detached format, written as a third party would, outside the tree: "TSIG" ‖ signature.
// It verifies with noble directly (a test plugin may hold the payload in memory), and throws PqsignError
// from its own copy of the module, as a plugin importing the `pqsign` package does.
const PLUGIN = `
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { PqsignError } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist/src/base/errors.js')).href)};
import { ml_dsa65 } from ${JSON.stringify(pathToFileURL(join(ROOT, 'node_modules/@noble/post-quantum/ml-dsa.js')).href)};
const MAGIC = new TextEncoder().encode('TSIG');
const fail = (code, message, file) => new PqsignError(code, message, { file });
export const formats = [{
  name: 'tsig', suffix: '.tsig', description: 'test plugin: TSIG magic then the signature',
  embedsPayload: () => false,
  detect: (head) => head.length >= 4 && MAGIC.every((b, i) => head[i] === b),
  async beginSign(req) {
    return { context: req.context, head: () => new Uint8Array(0), update: (c, emit) => emit(c), tail: () => new Uint8Array(0),
      container: (sig) => ({ prefix: new Uint8Array([...MAGIC, ...sig]), includeArtifact: false, suffix: new Uint8Array(0) }),
      resolvedOptions: () => ({}) };
  },
  async verify(req) {
    const c = readFileSync(req.container);
    if (!req.key) throw fail('ERR_UNTRUSTED', 'needs a pinned key', req.container);
    const ok = ml_dsa65.verify(c.subarray(4), readFileSync(req.payload), req.key.publicKey, { context: req.context });
    if (!ok) throw fail('ERR_SIGNATURE_INVALID', 'signature does not verify', req.container);
    return { params: req.key.params, keyFingerprint: createHash('sha256').update(req.key.publicKey).digest('hex'), details: { plugin: true } };
  },
}];
`;

describe('--plugin', () => {
  let dir: string;
  const files = Array.from({ length: 6 }, (_, i) => `f${i}.bin`);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pqsign-plugin-'));
    writeFileSync(join(dir, 'tsig.mjs'), PLUGIN);
    writeFileSync(join(dir, 'empty.mjs'), 'export const nothing = 1;\n');
    for (const f of files) writeFileSync(join(dir, f), `payload ${f}\n`);
    expect(pqsign(['keygen', '--out', 'k.key', '--pub', 'k.pub'], { cwd: dir }).code).toBe(0);
  });

  it('signs and verifies in a plugin format; without --plugin its containers are not found', () => {
    const s = pqsign(['--plugin', './tsig.mjs', 'sign', 'f0.bin', '--key', 'k.key', '--format', 'tsig'], { cwd: dir });
    expect(s.stderr + s.stdout).toContain('f0.bin.tsig');
    expect(s.code).toBe(0);
    const v = pqsign(['verify', 'f0.bin', '--key', 'k.pub', '--plugin=./tsig.mjs', '--json'], { cwd: dir });
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, format: 'tsig' });
    const without = pqsign(['verify', 'f0.bin', '--key', 'k.pub'], { cwd: dir });
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/no signature/);
    // the plugin's PqsignError (its own copy of the class) keeps its code and exit status
    writeFileSync(join(dir, 'f0.bin'), 'tampered\n');
    const bad = pqsign(['verify', 'f0.bin', '--key', 'k.pub', '--plugin', './tsig.mjs'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/f0\.bin\.tsig: signature does not verify/);
    writeFileSync(join(dir, 'f0.bin'), 'payload f0.bin\n');
  });

  it('batch worker threads load the same plugins: every file verifies on workers alone, a tampered one fails', async () => {
    for (const f of files)
      expect(pqsign(['sign', f, '--key', 'k.key', '--format', 'tsig', '--plugin', './tsig.mjs', '--force'], { cwd: dir }).code).toBe(0);
    writeFileSync(join(dir, 'f3.bin'), 'tampered\n');
    // from dist/, as the CLI runs it: the workers start from dist/lib/verify-worker.js
    await import(join(ROOT, 'dist', 'lib', 'builtins.js'));
    const registry = (await import(
      join(ROOT, 'dist', 'src', 'pipeline', 'registry.js')
    )) as typeof import('../../src/pipeline/registry.js');
    const { verifyJobs } = (await import(join(ROOT, 'dist', 'src', 'batch', 'batch.js'))) as typeof import('../../src/batch/batch.js');
    const { VERIFY_WORKER_URL } = (await import(join(ROOT, 'dist', 'lib', 'worker-url.js'))) as typeof import('../../lib/worker-url.js');
    const { loadPublicKey } = (await import(
      join(ROOT, 'dist', 'src', 'pipeline', 'keyref.js')
    )) as typeof import('../../src/pipeline/keyref.js');
    const { keyFingerprint } = (await import(
      join(ROOT, 'dist', 'src', 'keys', 'fingerprint.js')
    )) as typeof import('../../src/keys/fingerprint.js');
    await registry.loadPlugin(pathToFileURL(join(dir, 'tsig.mjs')).href);
    const k = await loadPublicKey(join(dir, 'k.pub'));
    const rules = { keys: [{ sha256: keyFingerprint(k.publicKey), key: { alg: k.params.name, publicKey: k.publicKey } }], anchors: [] };
    const jobs = files.map((f) => ({ file: join(dir, f), context: new Uint8Array(0) }));
    const verdicts = async (plugins: readonly string[]) => {
      const out: string[] = new Array(jobs.length);
      await verifyJobs(
        jobs,
        { rules, formatOptions: {}, plugins },
        { threads: 2, mainThread: false, workerUrl: VERIFY_WORKER_URL },
        (r, i) => void (out[i] = r.ok ? `ok ${String(r.value.details.plugin)}` : (r.error as { code: string }).code),
      );
      return out;
    };
    expect(await verdicts(registry.loadedPlugins())).toEqual(files.map((f) => (f === 'f3.bin' ? 'ERR_SIGNATURE_INVALID' : 'ok true')));
    // the check has teeth: workers that were not told about the plugin find no signature beside the files
    expect(await verdicts([])).toEqual(files.map(() => 'ERR_FILE'));
  });

  it.each([
    [['--plugin', './missing.mjs'], /plugin \.\/missing\.mjs: no such file/],
    [['--plugin', './empty.mjs'], /exports neither "formats" nor "keySchemes"/],
    [['--plugin', 'not-installed-anywhere'], /plugin "not-installed-anywhere" is not installed/],
    [['--plugin'], /--plugin needs a module/],
  ])('%j is a usage error (exit 2) naming the plugin', (args, message) => {
    const r = pqsign(['verify', 'f0.bin', '--key', 'k.pub', ...args], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});
