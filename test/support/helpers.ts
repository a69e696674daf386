// Test plumbing: where ../shared is, running the built CLI (optionally measured), running the interop oracles, temp dirs.
import { spawnSync, spawn } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const SHARED = resolve(ROOT, '..', 'shared');
export const VECTORS = join(SHARED, 'vectors');
export const HAVE_SHARED = existsSync(VECTORS);
export const ORACLE = join(SHARED, 'oracles', 'oracle');
export const CLI = join(ROOT, 'dist', 'cli', 'pqsign.js');
export const FIRMWARE = join(ROOT, 'fixtures', 'firmware-sample.bin');

/** Reason printed by skipped suites when ../shared is missing. */
export const NO_SHARED = `../shared is absent (${SHARED}): vector and oracle tests skipped`;
if (!HAVE_SHARED) console.warn(`SKIP: ${NO_SHARED}`);

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Processes started by this file so far (reported by test/support/cpu-log.ts). */
export const started = { cli: 0, oracle: 0 };

/** Counts a CLI run; test/unit/ never starts one (docs/testing.md): there, call the library (inproc.ts). */
export function startingCli(): void {
  const file = expect.getState().testPath ?? '';
  if (relative(ROOT, file).startsWith(join('test', 'unit')))
    throw new Error(`${file}: unit tests call the library in-process (test/support/inproc.ts); a test of the CLI goes in test/cli/`);
  started.cli++;
}

/** Run the built CLI synchronously. */
export function pqsign(
  args: string[],
  opts: { env?: Record<string, string>; input?: string | Buffer; cwd?: string; uid?: number; gid?: number } = {},
): RunResult {
  startingCli();
  const r = spawnSync(process.execPath, [CLI, ...args], {
    uid: opts.uid,
    gid: opts.gid,
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export interface MeasuredRun extends RunResult {
  /** the child's peak resident set size */
  maxRssMiB: number;
  /** bytes the child read through read(2) and friends (Linux rchar), undefined where /proc/self/io is absent */
  readBytes: number | undefined;
}

/** Run the built CLI with test/support/report-usage.mjs preloaded: its peak memory and the bytes it read. */
export function pqsignMeasured(args: string[]): MeasuredRun {
  startingCli();
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(ROOT, 'test', 'support', 'report-usage.mjs')).href, CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const rss = /MAX_RSS_KB=(\d+)/.exec(r.stderr);
  if (!rss) throw new Error(`the child reported no usage (exit ${r.status}): ${r.stderr}`);
  const read = /READ_BYTES=(\d+)/.exec(r.stderr);
  return {
    code: r.status ?? -1,
    stdout: r.stdout,
    stderr: r.stderr,
    maxRssMiB: Number(rss[1]) / 1024,
    readBytes: read ? Number(read[1]) : undefined,
  };
}

/** Run the built CLI without blocking the event loop (needed when the test process hosts a server). */
export function pqsignAsync(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<RunResult> {
  startingCli();
  return new Promise((res) => {
    const p = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}

/** The machine's `java`, found on PATH without starting a process. */
const JAVA = (process.env.PATH ?? '')
  .split(delimiter)
  .map((d) => join(d, 'java'))
  .find((p) => existsSync(p));
/** The oracles' environment: their JVMs start through test/support/oracle-bin/java (start-up flags, class-data archive). */
const oracleEnv = (env: Record<string, string>) => ({
  ...process.env,
  ...(JAVA
    ? {
        PATH: `${join(ROOT, 'test', 'support', 'oracle-bin')}${delimiter}${process.env.PATH}`,
        PQSIGN_TEST_JAVA: JAVA,
        PQSIGN_TEST_JVM_CACHE: join(ROOT, 'node_modules', '.cache', 'pqsign-oracle-jvm'),
      }
    : {}),
  ...env,
});

/** Run ../shared/oracles/oracle; `ok` is exit 0. */
export function oracle(args: string[], env: Record<string, string> = {}): RunResult & { ok: boolean } {
  started.oracle++;
  const r = spawnSync('bash', [ORACLE, ...args], { encoding: 'utf8', env: oracleEnv(env), maxBuffer: 16 * 1024 * 1024 });
  const code = r.status ?? -1;
  return { code, ok: code === 0, stdout: r.stdout, stderr: r.stderr };
}

/** Run `fn` with environment variables set, restored after it (and after its promise settles). */
export function withEnv<T>(vars: Record<string, string>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const restore = () => {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  };
  Object.assign(process.env, vars);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    restore();
    throw e;
  }
  if (result instanceof Promise) return result.finally(restore) as T;
  restore();
  return result;
}

/** A temp dir removed after the current test file. */
export function tempDir(prefix = 'pqsign-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

export const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
export const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

/**
 * Flip the bits of `mask` in the byte at `at`, in place. Throws when `at` is outside `bytes`: a write past a
 * typed array's end is silently dropped, and a tamper that changed nothing would let an attack test pass.
 */
export function flipByte<T extends Uint8Array>(bytes: T, at: number, mask = 0x01): T {
  const b = bytes[at];
  if (b === undefined) throw new RangeError(`flipByte: offset ${at} is outside the ${bytes.length} bytes`);
  bytes[at] = b ^ mask;
  return bytes;
}

/** A sparse file of `size` bytes with a few non-zero marks (fast to create, no disk, real to hash). */
export function sparseFile(path: string, size: number): string {
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, size);
    for (const at of [0, Math.floor(size / 2), size - 16]) writeSync(fd, Buffer.from(`mark@${at}`.padEnd(16, '.')), 0, 16, at);
  } finally {
    closeSync(fd);
  }
  return path;
}
