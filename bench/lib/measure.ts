// Run a command and measure its wall time and peak RSS. Peak RSS comes from `/usr/bin/time -v` (GNU or
// BusyBox) when present; otherwise, for Node children only, from a preloaded probe that writes the
// child's own process.resourceUsage().maxRSS at exit (rss-probe.ts).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TIME = '/usr/bin/time';
const HAVE_TIME = existsSync(TIME);
const PROBE = fileURLToPath(new URL('./rss-probe.js', import.meta.url));

export interface Measured {
  wallMs: number;
  /** peak resident set size in MB (10^6 bytes); undefined when it cannot be measured */
  rssMB: number | undefined;
  code: number;
  stdout: string;
  stderr: string;
}

export const RSS_METHOD = HAVE_TIME ? '/usr/bin/time -v' : "the child's process.resourceUsage() (Node children only)";

let seq = 0;

export async function measure(
  cmd: string,
  args: readonly string[],
  opts: { isNode?: boolean; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Measured> {
  const rssFile = join(tmpdir(), `pqsign-bench-rss-${process.pid}-${seq++}`);
  let argv: string[];
  let env = { ...process.env, ...opts.env };
  if (HAVE_TIME) argv = [TIME, '-v', '-o', rssFile, cmd, ...args];
  else if (opts.isNode) {
    argv = [cmd, '--import', PROBE, ...args];
    env = { ...env, PQSIGN_BENCH_RSS_OUT: rssFile };
  } else argv = [cmd, ...args];
  const start = process.hrtime.bigint();
  const r = await new Promise<{ code: number; stdout: string; stderr: string }>((res, rej) => {
    const p = spawn(argv[0]!, argv.slice(1), { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', rej);
    p.on('close', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  let rssMB: number | undefined;
  if (existsSync(rssFile)) {
    const text = readFileSync(rssFile, 'utf8');
    rmSync(rssFile, { force: true });
    const kb = HAVE_TIME ? /Maximum resident set size \(kbytes\):\s*(\d+)/.exec(text)?.[1] : text.trim();
    if (kb) rssMB = (Number(kb) * 1024) / 1e6;
  }
  return { wallMs, rssMB, ...r };
}

/** Measure a command that must succeed; throws with its stderr otherwise. */
export async function measureOk(
  cmd: string,
  args: readonly string[],
  opts: { isNode?: boolean; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Measured> {
  const m = await measure(cmd, args, opts);
  if (m.code !== 0)
    throw new Error(`${cmd.split('/').pop()} ${args.slice(0, 2).join(' ')} exited ${m.code}: ${m.stderr.trim().split('\n').pop() ?? ''}`);
  return m;
}

/** The run with the median wall time of n (RSS from that same run). */
export async function medianOf(n: number, run: () => Promise<Measured>): Promise<Measured> {
  const runs: Measured[] = [];
  for (let i = 0; i < n; i++) runs.push(await run());
  runs.sort((a, b) => a.wallMs - b.wallMs);
  return runs[Math.floor(runs.length / 2)]!;
}
