// Start-up: the COSE/JOSE formats are registered statically, but cbor2 is only imported when a
// COSE container or COSE_Key is actually handled; a raw verify never loads it.
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, FIRMWARE, ROOT, pqsign, tempDir } from './helpers.js';

const dir = tempDir('pqsign-startup-');
const key = join(dir, 'k.pem');
const pub = join(dir, 'p.pem');
const fw = join(dir, 'fw.bin');
const trace = join(dir, 'imports.txt');
const PRELOAD = pathToFileURL(join(ROOT, 'test', 'support', 'trace-imports.mjs')).href;

/** The module URLs a CLI run resolved. */
function importsOf(args: string[]): string[] {
  rmSync(trace, { force: true });
  const r = spawnSync(process.execPath, ['--import', PRELOAD, CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PQSIGN_TRACE_IMPORTS: trace } });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(trace, 'utf8').split('\n');
}

beforeAll(() => {
  copyFileSync(FIRMWARE, fw);
  expect(pqsign(['keygen', '--alg', 'ML-DSA-44', '--out', key, '--pub', pub]).code).toBe(0);
  expect(pqsign(['sign', fw, '--key', key]).code).toBe(0);
  expect(pqsign(['sign', fw, '--key', key, '--format', 'cose', '--out', join(dir, 'fw.cose')]).code).toBe(0);
});

describe('lazy cbor2', () => {
  it('a raw verify does not load cbor2; a COSE verify does (so the trace works)', () => {
    const raw = importsOf(['verify', fw, '--sig', `${fw}.sig`, '--key', pub]);
    expect(raw.some((u) => u.endsWith('/formats/cose.js'))).toBe(true);
    expect(raw.filter((u) => u.includes('/node_modules/cbor2/'))).toEqual([]);
    const viaCose = importsOf(['verify', join(dir, 'fw.cose'), '--key', pub]);
    expect(viaCose.some((u) => u.includes('/node_modules/cbor2/'))).toBe(true);
  });
});
