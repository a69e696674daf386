// The library does not know CLI flags (issue 14): no string in src/, formats/ or lib/ names one. Messages name
// options in library terms with opt() (`monotonicCount`), and the CLI renders them as flags through one
// table (bin/option-flags.ts). Comments may name flags; string literals, template text and option
// descriptions may not. A lint-like scan of the sources with the TypeScript parser.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { cliMessage, flagFor } from '../../../bin/option-flags.js';
import { errorLine } from '../../../bin/errors.js';
import { PqsignError, opt } from '../../../src/base/errors.js';
import { ROOT } from '../../support/helpers.js';

const FLAG = /(?<![\w-])--[a-z][a-z0-9-]*/g;

interface Literal {
  file: string;
  line: number;
  text: string;
}

/** Every string literal and piece of template text in the .ts files under `dirs`. */
function literals(...dirs: string[]): Literal[] {
  const out: Literal[] = [];
  for (const d of dirs) {
    for (const f of readdirSync(join(ROOT, d), { recursive: true }) as string[]) {
      if (!f.endsWith('.ts')) continue;
      const file = join(d, f);
      const sf = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (n: ts.Node): void => {
        if (
          ts.isStringLiteral(n) ||
          ts.isNoSubstitutionTemplateLiteral(n) ||
          ts.isTemplateHead(n) ||
          ts.isTemplateMiddle(n) ||
          ts.isTemplateTail(n)
        ) {
          out.push({ file, line: sf.getLineAndCharacterOfPosition(n.getStart()).line + 1, text: n.text });
        }
        ts.forEachChild(n, visit);
      };
      visit(sf);
    }
  }
  return out;
}

describe('the library names no CLI flag', () => {
  const all = literals('src', 'formats', 'lib');

  it("the scan sees the sources (it finds the library's own strings)", () => {
    expect(all.length).toBeGreaterThan(2000);
    expect(all.some((l) => l.file === join('src', 'base', 'errors.ts'))).toBe(true);
  });

  it('no string in src/, formats/ or lib/ contains a --flag', () => {
    const found = all.flatMap((l) => (l.text.match(FLAG) ? [`${l.file}:${l.line}: ${l.text.match(FLAG)!.join(' ')}`] : []));
    expect(found).toEqual([]);
  });

  it("every option a library message names has a flag in the CLI's table", () => {
    const named = new Set<string>();
    for (const d of ['src', 'formats']) {
      for (const f of readdirSync(join(ROOT, d), { recursive: true }) as string[]) {
        if (f.endsWith('.ts'))
          for (const m of readFileSync(join(ROOT, d, f), 'utf8').matchAll(/\bopt\('([A-Za-z0-9]+)'/g)) named.add(m[1]!);
      }
    }
    // named through a variable: parseMonotonicCount's name, the SLSA provenance options
    for (const n of [
      'monotonicCount',
      'minMonotonicCount',
      'builderId',
      'buildType',
      'sourceUri',
      'sourceDigest',
      'entryPoint',
      'invocationId',
      'startedOn',
      'finishedOn',
    ])
      named.add(n);
    expect(named.size).toBeGreaterThan(40);
    expect([...named].filter((n) => flagFor(n) === undefined)).toEqual([]);
  });
});

describe('the CLI renders option mentions as flags', () => {
  it('names, values, negations; unknown names and other code spans stay as they are', () => {
    expect(cliMessage(`${opt('monotonicCount')} "x" is not an unsigned integer`)).toBe('--monotonic-count "x" is not an unsigned integer');
    expect(cliMessage(`${opt('format', 'uefi')} needs ${opt('monotonicCount')} N`)).toBe('--format uefi needs --monotonic-count N');
    expect(cliMessage(`${opt('b64', 'false')} needs ${opt('detached')}`)).toBe('--no-b64 needs --detached');
    expect(cliMessage(`a pinned key (${opt('key')}) or a key fingerprint (${opt('keyFingerprints')}), ${opt('verifier')}`)).toBe(
      'a pinned key (--key) or a key fingerprint (--key-sha256), --kms',
    );
    expect(cliMessage('as `pqsign cert show` prints it; `noSuchOption`')).toBe('as `pqsign cert show` prints it; `noSuchOption`');
  });

  it('the one-line error names the file, then the problem in flags', () => {
    const e = new PqsignError('ERR_USAGE', `${opt('tsaDigest')} goes with ${opt('tsa')}`, { file: 'a.bin', option: 'tsaDigest' });
    expect(e.message).toBe('`tsaDigest` goes with `tsa`');
    expect(errorLine(e)).toBe('a.bin: --tsa-digest goes with --tsa');
  });
});
