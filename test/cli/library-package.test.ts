// The built library entry (dist/cli/index.js, what `import 'pqsign'` loads): errors recognised across
// copies of pqsign, no AWS SDK until a KMS key is used, and memory flat in a stream's size.
import { spawnSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as pqsign from '../../lib/index.js';
import type * as Errors from '../../src/base/errors.js';
import { ROOT, tempDir } from '../support/helpers.js';
import { traceModules } from '../support/module-trace.js';

const dir = tempDir('pqsign-libpkg-');

describe('the package entry', () => {
  it('a PqsignError from another copy of pqsign (the built dist/) is recognised by isPqsignError', async () => {
    const other = (await import(pathToFileURL(join(ROOT, 'dist', 'src', 'base', 'errors.js')).href)) as typeof Errors;
    expect(other.PqsignError).not.toBe(pqsign.PqsignError);
    expect(pqsign.isPqsignError(new other.PqsignError('ERR_SIGNATURE_INVALID', 'x'))).toBe(true);
    expect(pqsign.isPqsignError(Object.assign(new Error('x'), { code: 'ERR_SIGNATURE_INVALID' }))).toBe(false);
  });

  it('importing the built `pqsign` and signing with a local key loads no AWS SDK; `pqsign/kms` does', () => {
    const script = (entry: string) => `const p = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'cli', 'index.js')).href)});
      await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'cli', entry)).href)});
      const kp = p.generateKeyPair();
      await p.sign({ artifact: new Uint8Array(10), key: p.signerFromKey(kp.privateKey), format: 'cose' });`;
    const core = traceModules(process.execPath, ['--input-type=module', '-e', script('index.js')]);
    expect(core.own.has('dist/lib/index.js')).toBe(true); // the trace does see the library
    expect([...core.packages].filter((p) => /^@(aws-sdk|smithy|aws-crypto)\//.test(p))).toEqual([]);
    const kms = traceModules(process.execPath, ['--input-type=module', '-e', script('kms.js')]);
    expect(kms.packages.has('@aws-sdk/client-kms')).toBe(true);
  });
});

describe("memory stays flat in a stream's size", () => {
  /** A child process signs a generated stream of `mib` MiB (size given) into an attached COSE file; its peak RSS. */
  const peakRss = (mib: number): number => {
    const script = `import { Readable } from 'node:stream';
      const p = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'cli', 'index.js')).href)});
      const block = new Uint8Array(1 << 20).fill(7);
      const stream = Readable.from((function* () { for (let i = 0; i < ${mib}; i++) yield block; })());
      const kp = p.generateKeyPair('ML-DSA-44');
      await p.sign({ artifact: stream, size: ${mib} * (1 << 20), key: p.signerFromKey(kp.privateKey), format: 'cose', output: ${JSON.stringify(join(dir, `mem-${mib}.cose`))} });`;
    const r = spawnSync(
      process.execPath,
      ['--import', pathToFileURL(join(ROOT, 'test', 'support', 'report-usage.mjs')).href, '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(join(dir, `mem-${mib}.cose`)).size).toBeGreaterThan(mib * (1 << 20));
    rmSync(join(dir, `mem-${mib}.cose`));
    return Number(/MAX_RSS_KB=(\d+)/.exec(r.stderr)![1]) / 1024;
  };

  it('a 256 MiB stream signed in one pass peaks within 64 MiB of an 8 MiB one', () => {
    const small = peakRss(8);
    const big = peakRss(256);
    expect(big - small, `peak RSS ${small.toFixed(0)} MiB -> ${big.toFixed(0)} MiB`).toBeLessThan(64);
  });
});
