// Interrupts (bin/interrupts.ts, the temp-file registry in src/io/atomic.ts): a signal while `sign` is
// writing an output removes the temp file and exits 128 + signal number with one line; a temp file
// left by a process that could not clean up (SIGKILL) is not an input to verify --recursive.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isTempName } from '../../src/io/atomic.js';
import { CLI, pqsign, sparseFile, tempDir } from '../support/helpers.js';
import { writeKeyPair } from '../support/keygen.js';
import { startTestKms } from '../support/kms-fixture.js';

const dir = tempDir('pqsign-interrupts-');
const key = join(dir, 'k.pem');
const pub = join(dir, 'k.pub');
const temps = (d: string) => readdirSync(d).filter(isTempName);

beforeAll(() => {
  writeKeyPair(key, pub, 'ML-DSA-44');
});

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Start the CLI, send `signal` as soon as its temp output appears in `watch`, and wait for it to end. */
function interruptOnceWriting(
  args: string[],
  signal: NodeJS.Signals,
  watch: string,
  env: Record<string, string> = {},
): Promise<Ended & { sent: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: { ...process.env, ...env } });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d) => (stderr += d));
    const poll = setInterval(() => {
      if (sent || temps(watch).length === 0) return;
      sent = true;
      child.kill(signal);
    }, 5);
    child.on('close', (code, sig) => {
      clearInterval(poll);
      resolve({ code, signal: sig, stderr, sent });
    });
  });
}

describe('a signal while sign writes its output', () => {
  // An attached JWS is the whole artifact again, base64url: its temp file exists for the whole pass.
  const big = join(dir, 'big.bin');
  beforeAll(() => void sparseFile(big, 512 * 1024 * 1024));

  it.each([
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const)('%s: the temp file is removed, exit %i, one line', async (signal, exit) => {
    const r = await interruptOnceWriting(['sign', big, '--format', 'jws', '--key', key], signal, dir);
    expect(r.sent, `no temp file appeared; ${r.stderr}`).toBe(true);
    expect(r.signal).toBe(null); // pqsign ended itself, after cleaning up
    expect(r.code).toBe(exit);
    expect(r.stderr).toBe(`pqsign: interrupted by ${signal}; removed 1 unfinished output\n`);
    expect(temps(dir)).toEqual([]);
    expect(existsSync(`${big}.jws`)).toBe(false);
  });

  it('SIGTERM while waiting for a slow KMS: exit 143, nothing left', async () => {
    const kms = await startTestKms({ faults: { latencyMs: 1500 } });
    const keyId = await kms.createKey('ML_DSA_44');
    const out = join(dir, 'kms');
    mkdirSync(out);
    writeFileSync(join(dir, 'small.bin'), 'firmware');
    // COSE attached: the output is opened before μ goes to KMS
    const r = await interruptOnceWriting(
      ['sign', 'small.bin', '--format', 'cose', '--key', kms.ref(keyId), '--out-dir', out],
      'SIGTERM',
      out,
      kms.env,
    );
    expect(r.sent, `no temp file appeared; ${r.stderr}`).toBe(true);
    expect(r.code).toBe(143);
    expect(r.stderr).toBe('pqsign: interrupted by SIGTERM; removed 1 unfinished output\n');
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('temp files of a process that could not clean up', () => {
  it('SIGKILL leaves one; verify --recursive passes over it', async () => {
    const tree = join(dir, 'tree');
    mkdirSync(tree);
    sparseFile(join(tree, 'app.bin'), 1024 * 1024);
    expect(pqsign(['sign', join(tree, 'app.bin'), '--key', key]).code).toBe(0);
    sparseFile(join(tree, 'huge.bin'), 512 * 1024 * 1024);
    const r = await interruptOnceWriting(
      ['sign', join(tree, 'huge.bin'), '--format', 'jws', '--key', key, '--out', join(tree, 'huge.jws')],
      'SIGKILL',
      tree,
    );
    expect(r.signal).toBe('SIGKILL');
    expect(temps(tree)).toHaveLength(1);
    rmSync(join(tree, 'huge.bin'));
    const v = pqsign(['verify', '--recursive', tree, '--key', pub, '--json']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(
      v.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).file),
    ).toEqual([join(tree, 'app.bin')]);
  });
});
