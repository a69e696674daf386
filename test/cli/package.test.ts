// Installing without the checkout: `npm pack` makes a tarball that installs globally (here into a
// temporary --prefix, offline: the bundle has no runtime dependencies) and runs from any directory.
// The installed `pqsign` is exercised on the paths that load each bundled library and worker.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestKms } from '../support/kms-fixture.js';
import { ROOT, tempDir, type RunResult } from '../support/helpers.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  dependencies?: object;
};

function npm(args: string[], cwd: string): string {
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** What `npm pack` would ship (no build: `npm test` built dist/ already). */
const packed = (JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], ROOT)) as [{ files: { path: string }[] }])[0].files.map(
  (f) => f.path,
);

describe('the npm package', () => {
  it("ships the bundled CLI, its chunks and workers, the bundled code's licences, README and docs; no sources, tests, fixtures or build metadata", () => {
    const licences = 'dist/cli/THIRD-PARTY-LICENSES.txt';
    expect(packed).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        pkg.bin.pqsign!,
        'dist/cli/verify-worker.js',
        'dist/cli/hash-worker.js',
        licences,
      ]),
    );
    expect(
      packed.filter(
        (p) =>
          p !== licences &&
          !/^(dist\/cli\/[\w-]+\.js|dist\/cli\/types\/(lib|src|formats)\/[\w/.-]+\.d\.ts|docs\/[\w/.-]+\.(md|json)|README\.md|package\.json)$/.test(
            p,
          ),
      ),
    ).toEqual([]);
    // one section per bundled package, the AWS SDK among them
    expect(readFileSync(join(ROOT, licences), 'utf8')).toMatch(/^@aws-sdk\/client-kms@[\d.]+ \(Apache-2\.0\)$/m);
  });

  it('every `exports` entry of the library is shipped, with its type declarations', () => {
    const exported = Object.values((pkg as { exports?: Record<string, string | Record<string, string>> }).exports ?? {})
      .flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))
      .map((p) => p.replace(/^\.\//, ''));
    expect(exported).toEqual(
      expect.arrayContaining(['dist/cli/index.js', 'dist/cli/types/lib/index.d.ts', 'dist/cli/kms.js', 'dist/cli/kms-server.js']),
    );
    expect(exported.filter((p) => !packed.includes(p))).toEqual([]);
    // the declarations import only each other and Node's: a consumer needs no dev dependency of pqsign for types
    const foreign = packed
      .filter((p) => p.endsWith('.d.ts'))
      .flatMap((p) => [...readFileSync(join(ROOT, p), 'utf8').matchAll(/from '([^.'][^']*)'/g)].map((m) => `${p}: ${m[1]}`))
      .filter((s) => !/: node:/.test(s));
    expect(foreign).toEqual([]);
  });

  it('every module a shipped file loads is shipped or a Node built-in, so it needs no dependencies', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const missing: string[] = [];
    for (const file of packed.filter((p) => p.endsWith('.js'))) {
      const code = readFileSync(join(ROOT, file), 'utf8');
      const specifiers = [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|new URL\(\s*)"([^"]+)"/g)].map((m) => m[1]!);
      for (const s of specifiers) {
        const ok = s.startsWith('./') ? packed.includes(join(dirname(file), s)) : builtins.has(s);
        if (!ok) missing.push(`${file}: ${s}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('installed from the tarball into a temporary prefix', async () => {
  const dir = tempDir('pqsign-pack-');
  const tarball = join(dir, npm(['pack', '--ignore-scripts', '--pack-destination', dir], ROOT).trim().split('\n').pop()!);
  const prefix = join(dir, 'prefix');
  // --offline: nothing may come from a registry
  npm(['install', '--global', '--offline', '--prefix', prefix, tarball], dir);
  const work = join(dir, 'elsewhere'); // not the checkout, no package.json above it
  spawnSync('mkdir', ['-p', work]);
  const kms = await startTestKms();

  /** `pqsign ARGS` found on PATH, as a user would run it; async, since this process hosts the KMS server. */
  const installed = (args: string[], env: Record<string, string> = {}): Promise<RunResult> =>
    new Promise((res) => {
      const PATH = [join(prefix, 'bin'), dirname(process.execPath), process.env.PATH].join(delimiter);
      const p = spawn('pqsign', args, { cwd: work, env: { ...process.env, ...env, PATH } });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d) => (stdout += d));
      p.stderr.on('data', (d) => (stderr += d));
      p.on('close', (code) => res({ code: code ?? -1, stdout, stderr }));
    });
  const ok = async (args: string[], env: Record<string, string> = {}) => {
    const r = await installed(args, env);
    expect(r.code, `pqsign ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };

  it('the library from a project that installed the tarball: `pqsign` and `pqsign/kms-server` by their package names', async () => {
    const project = join(dir, 'project');
    spawnSync('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), '{"name":"consumer","private":true,"type":"module"}');
    npm(['install', '--offline', tarball], project);
    writeFileSync(
      join(project, 'main.js'),
      `import { generateKeyPair, signerFromKey, sign, verify } from 'pqsign';
      import { startKmsServer } from 'pqsign/kms-server';
      const kp = generateKeyPair();
      const { container } = await sign({ artifact: new TextEncoder().encode('hi'), key: signerFromKey(kp.privateKey), format: 'jws' });
      const v = await verify({ input: container, keys: kp.publicKey });
      const kms = await startKmsServer({ credential: { accessKeyId: 'AKIAEXAMPLE00000001', secretAccessKey: 'x'.repeat(40) } });
      await kms.close();
      console.log(v.format, v.keyFingerprint === kp.keyFingerprint);`,
    );
    const r = spawnSync(process.execPath, ['main.js'], { cwd: project, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('jws true');
  });

  it('`pqsign --version` prints the package version', async () => {
    expect((await ok(['--version'])).trim()).toBe(pkg.version);
  });

  it('keygen, sign, verify from another directory; several files on verify workers', async () => {
    await ok(['keygen', '--out', 'k.pem', '--pub', 'k.pub']);
    writeFileSync(join(work, 'a.bin'), 'firmware a\n');
    writeFileSync(join(work, 'b.bin'), 'firmware b\n');
    await ok(['sign', 'a.bin', 'b.bin', '--key', 'k.pem']);
    expect(JSON.parse(await ok(['verify', 'a.bin', '--key', 'k.pub', '--json']))).toMatchObject({ ok: true, file: 'a.bin' });
    const both = (await ok(['verify', 'a.bin', 'b.bin', '--key', 'k.pub', '--jobs', '2', '--json']))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(both.map((r) => [r.file, r.ok])).toEqual([
      ['a.bin', true],
      ['b.bin', true],
    ]);
    writeFileSync(join(work, 'a.bin'), 'firmware A\n');
    expect((await installed(['verify', 'a.bin', '--key', 'k.pub'])).code).toBe(1);
  });

  it('COSE (cbor2), a CA certificate and CMS (pkijs), an attestation (hash workers)', async () => {
    await ok(['sign', 'b.bin', '--key', 'k.pem', '--format', 'cose']);
    await ok(['verify', 'b.bin.cose', '--key', 'k.pub']);
    await ok(['cert', 'create-ca', '--key', 'k.pem', '--subject', 'CN=Installed Root', '--out', 'ca.pem']);
    await ok(['sign', 'b.bin', '--key', 'k.pem', '--format', 'cms', '--cert', 'ca.pem']);
    await ok(['verify', 'b.bin.p7s', '--content', 'b.bin', '--key', 'k.pub']);
    await ok(['attest', 'a.bin', 'b.bin', '--key', 'k.pem', '--jobs', '2', '--builder-id', 'https://example.com/ci']);
    await ok(['verify-attestation', 'attestation.intoto.jsonl', '--key', 'k.pub', '--subject', 'a.bin', 'b.bin']);
  });

  it('signs through KMS (the bundled AWS SDK) and verifies offline', async () => {
    const created = JSON.parse(
      await ok(['kms', 'create-key', '--alias', 'alias/installed', '--endpoint', kms.authority, '--json'], kms.env),
    );
    await ok(['sign', 'b.bin', '--key', created.keyRef, '--out', 'b.kms.sig'], kms.env);
    await ok(['pubkey', '--key', created.keyRef, '--out', 'kms.pub'], kms.env);
    await ok(['verify', 'b.bin', '--sig', 'b.kms.sig', '--key', 'kms.pub']);
  });
});
