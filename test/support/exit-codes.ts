// The exit code each error code stands for, read from README.md's table (docs.test.ts checks that table
// against the source): lets one `verify --json` run over many files stand for one run per file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { pqsign, pqsignAsync, ROOT, type RunResult } from './helpers.js';

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
  /** the file's whole `--json` line */
  report: Record<string, unknown>;
}

/**
 * `pqsign verify FILE... ARGS --json` once for many files (inputs of independent cases), each file's verdict.
 * The run's own exit code must be the worst of them.
 */
export function verifyEach(files: string[], args: string[]): Map<string, FileVerdict> {
  return verdicts(files, pqsign(['verify', ...files, ...args, '--json']));
}

/** verifyEach without blocking the event loop (when this process hosts a server, e.g. the KMS). */
export async function verifyEachAsync(files: string[], args: string[], env?: Record<string, string>): Promise<Map<string, FileVerdict>> {
  return verdicts(files, await pqsignAsync(['verify', ...files, ...args, '--json'], { env }));
}

function verdicts(files: string[], r: RunResult): Map<string, FileVerdict> {
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { file: string; ok: boolean; error?: { code: string; message: string } } & Record<string, unknown>);
  if (lines.length !== files.length) throw new Error(`verify printed ${lines.length} lines for ${files.length} files: ${r.stderr}`);
  const out = new Map<string, FileVerdict>();
  lines.forEach((l, i) => {
    if (l.file !== files[i]) throw new Error(`line ${i} is about ${l.file}, not ${files[i]}`);
    out.set(
      l.file,
      l.ok ? { exit: 0, report: l } : { exit: exitOfCode(l.error!.code), code: l.error!.code, message: l.error!.message, report: l },
    );
  });
  const worst = Math.max(...[...out.values()].map((v) => v.exit));
  if (r.code !== worst) throw new Error(`verify exited ${r.code}, the worst of its files is ${worst}: ${r.stderr}`);
  return out;
}

/** A tampered input: what it is, how it is made from a good one, the exit code and the message it must get. */
export type RejectionCase = readonly [what: string, edit: (b: Buffer) => Buffer, exit: number, message: RegExp];

/**
 * One test per case, all judged by one `verify --json` run (each file's exit code from its error code), then
 * two of them run alone, as a user sees them: one line on stderr naming the file. Inputs are never modified.
 */
export function rejectionTests(
  cases: readonly RejectionCase[],
  variant: (edit: (b: Buffer) => Buffer) => string,
  trust: () => string[],
): void {
  const files: string[] = [];
  const befores: Buffer[] = [];
  let verdicts: Map<string, FileVerdict> | undefined;
  const verdictOf = (i: number) => {
    if (!verdicts) {
      for (const [, edit] of cases) {
        files.push(variant(edit));
        befores.push(readFileSync(files.at(-1)!));
      }
      verdicts = verifyEach(files, trust());
    }
    return { file: files[i]!, before: befores[i]!, v: verdicts.get(files[i]!)! };
  };
  cases.forEach(([what, , code, msg], i) => {
    it(what, () => {
      const { file, before, v } = verdictOf(i);
      expect(v.exit, v.message).toBe(code);
      expect(v.message).toMatch(msg);
      expect(v.message!.startsWith(`${file}: `), v.message).toBe(true);
      expect(v.message).not.toContain('\n');
      expect(readFileSync(file).equals(before)).toBe(true); // inputs never modified
    });
  });

  it('alone, a rejected image is one line on stderr naming the file, and the exit code of its case', () => {
    for (const i of [0, 9]) {
      const { file, v } = verdictOf(i);
      const r = pqsign(['verify', file, ...trust()]);
      expect(r.code, r.stderr).toBe(cases[i]![2]);
      expect(r.stderr).toBe(`pqsign: ${v.message}\n`);
    }
  });
}
