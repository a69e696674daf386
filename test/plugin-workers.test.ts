// A plugin's formats in batch verification: the worker threads load the plugin modules the starting
// thread loaded (VerifyShared.plugins), so a format added by a plugin verifies on every thread. Runs the
// built dist/ (the worker entry is dist/lib/verify-worker.js), like test/batch.test.ts's pool test.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT, pqsign, tempDir } from './helpers.js';

const dist = (...p: string[]) => pathToFileURL(join(ROOT, 'dist', ...p)).href;

describe('plugins on worker threads', () => {
  it('a plugin format verifies on workers that loaded the plugin, and is unknown to workers that did not', async () => {
    const dir = tempDir('pqsign-plugin-workers-');
    // a plugin built on the public API: the raw format under another name and suffix
    const plugin = join(dir, 'raw-copy.mjs');
    writeFileSync(plugin, `import { raw } from ${JSON.stringify(dist('lib', 'index.js'))};\nexport const formats = [{ ...raw, name: 'raw-copy', suffix: '.rawcopy' }];\n`);
    expect(pqsign(['keygen', '--out', join(dir, 'k.pem'), '--pub', join(dir, 'k.pub')]).code).toBe(0);
    const files = [0, 1, 2].map((i) => join(dir, `f${i}.bin`));
    for (const f of files) {
      writeFileSync(f, `image ${f}\n`);
      expect(pqsign(['sign', f, '--key', join(dir, 'k.pem')]).code).toBe(0);
      copyFileSync(`${f}.sig`, `${f}.rawcopy`);
    }

    const { loadPlugin, loadedPlugins } = (await import(dist('src', 'pipeline', 'registry.js'))) as typeof import('../src/pipeline/registry.js');
    await import(dist('lib', 'builtins.js'));
    const { verifyJobs } = (await import(dist('src', 'batch', 'batch.js'))) as typeof import('../src/batch/batch.js');
    const { VERIFY_WORKER_URL } = (await import(dist('lib', 'verify-worker-url.js'))) as typeof import('../lib/verify-worker-url.js');
    const { loadPublicKey } = (await import(dist('src', 'pipeline', 'keyref.js'))) as typeof import('../src/pipeline/keyref.js');
    const { keyFingerprint } = (await import(dist('src', 'keys', 'fingerprint.js'))) as typeof import('../src/keys/fingerprint.js');
    await loadPlugin(pathToFileURL(plugin).href);
    const k = await loadPublicKey(join(dir, 'k.pub'));
    const rules = { keys: [{ sha256: keyFingerprint(k.publicKey), key: { alg: k.params.name, publicKey: k.publicKey } }], anchors: [] };
    const jobs = files.map((file) => ({ file, format: 'raw-copy', context: new Uint8Array(0) }));
    const verdicts = async (plugins: readonly string[]) => {
      const out: string[] = [];
      // every job on a worker (mainThread: false)
      const r = await verifyJobs(jobs, { rules, formatOptions: {}, plugins }, { threads: 2, mainThread: false, workerUrl: VERIFY_WORKER_URL },
        (v, i) => void (out[i] = v.ok ? `${v.value.format} ${v.value.signature.slice(dir.length + 1)}` : `${(v.error as { code: string }).code} ${(v.error as Error).message}`));
      expect(r.workers).toBe(2);
      return out;
    };
    expect(await verdicts(loadedPlugins())).toEqual(['raw-copy f0.bin.rawcopy', 'raw-copy f1.bin.rawcopy', 'raw-copy f2.bin.rawcopy']);
    expect((await verdicts([])).every((v) => v.startsWith('ERR_USAGE unknown format "raw-copy"'))).toBe(true);
  });
});
