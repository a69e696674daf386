// The machine a bench ran on, for the report: CPU, cores, memory, runtimes and their OpenSSL, load.
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';
import { node24 } from './node24.js';
import { RSS_METHOD } from './measure.js';

const run = (cmd: string, args: string[]): string | undefined => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
};

export function describeMachine(): [string, string][] {
  const n24 = node24();
  return [
    ['CPU', `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`],
    ['cores used (availableParallelism)', String(availableParallelism())],
    ['memory', `${(totalmem() / 2 ** 30).toFixed(1)} GiB`],
    ['OS', `${type()} ${release()}`],
    ['Node (pqsign)', `${process.version}, OpenSSL ${process.versions.openssl}`],
    [
      'Node 24 (one-shot ML-DSA)',
      n24 ? (run(n24, ['-p', 'process.version + ", OpenSSL " + process.versions.openssl']) ?? 'fails to run') : 'not installed',
    ],
    ['openssl CLI', run('openssl', ['version']) ?? 'not found'],
    ['peak RSS measured with', RSS_METHOD],
    [
      'load average at start (1/5/15 min)',
      loadavg()
        .map((l) => l.toFixed(2))
        .join(' / '),
    ],
  ];
}
