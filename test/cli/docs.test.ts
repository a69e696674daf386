// Docs that must follow the code: the README's table of stable error codes (derived from the source, so
// a new code fails here until it is documented), and the commands that take awskms:// references.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PqsignError, type ErrorCode } from '../../src/base/errors.js';
import { exitOf } from '../../bin/exit-codes.js';
import { ROOT, pqsign } from '../support/helpers.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const KMS_MD = readFileSync(join(ROOT, 'docs', 'kms.md'), 'utf8');

/** Every .ts file under the given source directories. */
const sources = (...dirs: string[]) =>
  dirs.flatMap((d) =>
    (readdirSync(join(ROOT, d), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts'))
      .map((f) => ({ path: join(d, f), text: readFileSync(join(ROOT, d, f), 'utf8') })),
  );

describe('README error codes', () => {
  // the ErrorCode union in src/base/errors.ts and every code a PqsignError or a JSON error object is built with;
  // not Node's own codes, which the source only compares with (e.code === 'ERR_...')
  const emitted = new Set(
    sources('src', 'formats', 'bin').flatMap((f) => [...f.text.matchAll(/(?<![=!]==\s*)'(ERR_[A-Z0-9_]+)'/g)].map((m) => m[1]!)),
  );
  const table = new Map([...README.matchAll(/^\| `(ERR_[A-Z0-9_]+)` \| (\d) \|/gm)].map((m) => [m[1]!, Number(m[2])]));

  it('the source emits the codes this test knows to look for (so the scan works)', () => {
    for (const c of ['ERR_USAGE', 'ERR_MANIFEST', 'ERR_KMS', 'ERR_INTERNAL']) expect(emitted.has(c), c).toBe(true);
  });

  it('lists every code the source can emit, and no other', () => {
    expect([...emitted].filter((c) => !table.has(c))).toEqual([]);
    expect([...table.keys()].filter((c) => !emitted.has(c))).toEqual([]);
  });

  it('gives each code the exit status the CLI exits with', () => {
    for (const [code, exit] of table) {
      const actual = code === 'ERR_INTERNAL' ? exitOf(new Error('a bug')) : exitOf(new PqsignError(code as ErrorCode, 'x'));
      expect(actual, code).toBe(exit);
    }
  });
});

describe('commands that take awskms:// references', () => {
  const listAfter = (doc: string) => {
    const at = doc.indexOf('References work wherever a key is accepted:');
    expect(at, 'the sentence is missing').toBeGreaterThanOrEqual(0);
    const sentence = doc.slice(at, doc.indexOf('.', doc.indexOf('`kms describe', at)));
    return [...sentence.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  };

  it('README and docs/kms.md give the same list', () => {
    expect(listAfter(README)).toEqual(listAfter(KMS_MD));
  });

  it('every command module that loads a key reference is in it', () => {
    const listed = listAfter(README);
    const loaders = sources('bin/commands')
      .filter((f) => /\bload(Signer|PublicKey)\(/.test(f.text))
      .map((f) => f.path.replace(/^bin\/commands\/|\.ts$/g, ''));
    expect(loaders.length).toBeGreaterThan(5);
    expect(loaders.filter((cmd) => !listed.some((l) => l === cmd || l.startsWith(`${cmd} `)))).toEqual([]);
  });
});

it('kms create-key --json and kms describe --json say what they print (not "one JSON object per file")', () => {
  for (const sub of ['create-key', 'describe']) {
    const help = pqsign(['kms', sub, '--help']).stdout;
    expect(help).toMatch(/--json\s+print JSON on stdout instead of text/);
    expect(help).not.toMatch(/per file/);
  }
});
