// The exit code each error code stands for, read from README.md's table (docs.test.ts checks that table
// against the source): lets one `verify --json` run over many files stand for one run per file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pqsign, ROOT } from './helpers.js';

let table: Map<string, number> | undefined;

/** README's exit code for an error code. */
export function exitOfCode(code: string): number {
  table ??= new Map(
    [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/^\| `(ERR_[A-Z_]+)` \| (\d) \|/gm)].map((m) => [m[1]!, Number(m[2])]),
  );
  const exit = table.get(code);
  if (exit === undefined) throw new Error(`${code} is not in README.md's table of error codes`);
  return exit;
}

export interface FileVerdict {
  /** the exit code a run on this file alone ends with */
  exit: number;
  code?: string;
  /** `FILE: problem`, as the one line on stderr */
  message?: string;
}

/**
 * `pqsign verify FILE... ARGS --json` once for many files (inputs of independent cases), each file's verdict.
 * The run's own exit code must be the worst of them.
 */
export function verifyEach(files: string[], args: string[]): Map<string, FileVerdict> {
  const r = pqsign(['verify', ...files, ...args, '--json']);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { file: string; ok: boolean; error?: { code: string; message: string } });
  if (lines.length !== files.length) throw new Error(`verify printed ${lines.length} lines for ${files.length} files: ${r.stderr}`);
  const out = new Map<string, FileVerdict>();
  lines.forEach((l, i) => {
    if (l.file !== files[i]) throw new Error(`line ${i} is about ${l.file}, not ${files[i]}`);
    out.set(l.file, l.ok ? { exit: 0 } : { exit: exitOfCode(l.error!.code), code: l.error!.code, message: l.error!.message });
  });
  const worst = Math.max(...[...out.values()].map((v) => v.exit));
  if (r.code !== worst) throw new Error(`verify exited ${r.code}, the worst of its files is ${worst}: ${r.stderr}`);
  return out;
}
