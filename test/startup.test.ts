// Start-up: `pqsign verify` of one small file with a local public key loads only what it needs. The CLI
// runs with an --import hook that records every module URL it loads (ES modules through a module.register
// load hook, CommonJS from require.cache at exit); the test asserts the set, never a timing (the bench
// measures the time: npm run bench, "start-up" row).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { node24, NO_NODE24 } from '../bench/lib/node24.js';
import { CLI, ROOT, pqsign, tempDir } from './helpers.js';

const dir = tempDir('pqsign-startup-');
const log = join(dir, 'modules.log');
const hooks = join(dir, 'hooks.mjs');
const register = join(dir, 'register.mjs');
writeFileSync(hooks, `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.PQSIGN_MODULE_LOG, url + '\\n');
  return next(url, context);
}
`);
writeFileSync(register, `import { register } from 'node:module';
import { createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
register(${JSON.stringify(new URL(`file://${hooks}`).href)});
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => appendFileSync(process.env.PQSIGN_MODULE_LOG, Object.keys(cache).map((p) => 'file://' + p + '\\n').join('')));
`);

/** Run the CLI under `node` with the recorder; the packages (node_modules names) and project modules it loaded. */
function loaded(node: string, args: string[]): { packages: Set<string>; own: Set<string> } {
  writeFileSync(log, '');
  const r = spawnSync(node, ['--import', register, CLI, ...args], { encoding: 'utf8', env: { ...process.env, PQSIGN_MODULE_LOG: log } });
  expect(r.status, r.stderr).toBe(0);
  const urls = readFileSync(log, 'utf8').split('\n').filter((u) => u.startsWith('file://'));
  const packages = new Set<string>();
  const own = new Set<string>();
  for (const u of urls) {
    const path = decodeURIComponent(new URL(u).pathname);
    const m = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path); // the innermost package
    if (m) packages.add(m[1]!);
    else if (path.startsWith(`${ROOT}/dist/`)) own.add(path.slice(ROOT.length + 1));
  }
  return { packages, own };
}

/** Names of packages and everything they depend on, resolved through the installed tree as Node does. */
function closure(...roots: string[]): Set<string> {
  const names = new Set<string>();
  const seenDirs = new Set<string>();
  const resolveFrom = (fromDir: string, name: string): string | undefined => {
    for (let d = fromDir; d.startsWith(ROOT); d = dirname(d)) {
      const candidate = join(d, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return candidate;
    }
    return undefined;
  };
  const visit = (pkgDir: string, name: string) => {
    names.add(name);
    if (seenDirs.has(pkgDir)) return;
    seenDirs.add(pkgDir);
    const pj = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const d of Object.keys(pj.dependencies ?? {})) {
      const at = resolveFrom(pkgDir, d);
      if (at) visit(at, d);
    }
  };
  for (const r of roots) visit(join(ROOT, 'node_modules', r), r);
  return names;
}

const HEAVY = ['@aws-sdk/client-kms', '@smithy/signature-v4', 'pkijs', 'asn1js', 'cbor2'];

describe('start-up module set of `pqsign verify FILE --key PUB`', () => {
  const file = join(dir, 'firmware.bin');
  const pub = join(dir, 'k.pub');
  beforeAll(() => {
    const key = join(dir, 'k.pem');
    expect(pqsign(['keygen', '--out', key, '--pub', pub]).code).toBe(0);
    writeFileSync(file, 'small firmware image\n');
    expect(pqsign(['sign', file, '--key', key]).code).toBe(0);
  });

  it('under this Node: yargs and ML-DSA only; no SDK, ASN.1 or CBOR library, no worker', () => {
    const { packages, own } = loaded(process.execPath, ['verify', file, '--key', pub]);
    const heavyAndTheirDeps = closure(...HEAVY);
    const allowed = closure('yargs', '@noble/post-quantum');
    expect([...packages].filter((p) => heavyAndTheirDeps.has(p) && !allowed.has(p))).toEqual([]);
    expect([...packages].filter((p) => !allowed.has(p))).toEqual([]);
    expect(packages.has('yargs')).toBe(true); // the recorder does see packages
    expect(own.has('dist/bin/commands/verify.js')).toBe(true);
    // the KMS scheme registration, its URI test and the `kms` command stub are tiny and SDK-free
    const kmsStubs = new Set(['dist/src/kms/register.js', 'dist/src/kms/uri.js', 'dist/bin/commands/kms.js']);
    expect([...own].filter((m) => /verify-worker|\/kms|\/demo/.test(m) && !kmsStubs.has(m))).toEqual([]);
  });

  it.skipIf(!node24())('under Node 24 (native ML-DSA): not even noble', () => {
    const { packages, own } = loaded(node24()!, ['verify', file, '--key', pub]);
    expect([...packages].sort()).toEqual([...closure('yargs')].filter((p) => packages.has(p)).sort());
    expect([...packages].filter((p) => p.startsWith('@noble/'))).toEqual([]);
    expect(own.has('dist/src/mldsa-native.js')).toBe(true);
  });
  if (!node24()) it.skip(NO_NODE24, () => undefined);
});
