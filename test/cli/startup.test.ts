// Start-up: `pqsign verify` of one small file with a local public key loads only what it needs
// (test/module-trace.ts records the set; the bench measures the time: npm run bench, "start-up" row).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { node24, NO_NODE24 } from '../../bench/lib/node24.js';
import { ROOT, pqsign, tempDir } from '../support/helpers.js';
import { loadedModules } from '../support/module-trace.js';

const dir = tempDir('pqsign-startup-');

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
    const { packages, own } = loadedModules(process.execPath, ['verify', file, '--key', pub]);
    const heavyAndTheirDeps = closure(...HEAVY);
    const allowed = closure('yargs', '@noble/post-quantum');
    expect([...packages].filter((p) => heavyAndTheirDeps.has(p) && !allowed.has(p))).toEqual([]);
    expect([...packages].filter((p) => !allowed.has(p))).toEqual([]);
    expect(packages.has('yargs')).toBe(true); // the recorder does see packages
    expect(own.has('dist/bin/commands/verify.js')).toBe(true);
    // the KMS scheme registration, its URI test, the client settings and the `kms` command stub are tiny and SDK-free
    const kmsStubs = new Set(['dist/src/kms/register.js', 'dist/src/kms/uri.js', 'dist/src/kms/settings.js', 'dist/bin/commands/kms.js']);
    expect([...own].filter((m) => /verify-worker|\/kms|\/demo/.test(m) && !kmsStubs.has(m))).toEqual([]);
  });

  // noble sits in the bundle file beside src/mldsa/mldsa.ts (it is bundled as a lazy require, so its code is
  // only evaluated on first use); what Node 24 must not load is anything beyond yargs and ML-DSA
  it.skipIf(!node24())('under Node 24 (native ML-DSA): the same set, with the native back-end', () => {
    const { packages, own } = loadedModules(node24()!, ['verify', file, '--key', pub]);
    expect([...packages].filter((p) => !closure('yargs', '@noble/post-quantum').has(p))).toEqual([]);
    expect(own.has('dist/src/mldsa/native.js')).toBe(true);
  });
  if (!node24()) it.skip(NO_NODE24, () => undefined);
});
