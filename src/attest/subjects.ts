// Which files are subjects: paths as given, directories walked with --recursive, glob patterns.
// Each subject's name is its path relative to the base directory with "/" separators, which is
// what a verifier matches on; paths outside the base directory have no such name and are refused.
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { PqsignError, opt } from '../base/errors.js';
import { fileError } from '../io/read.js';
import { walkFiles } from '../io/walk.js';

export interface SubjectFile {
  /** absolute path to read */
  path: string;
  /** name in the statement: relative to the base directory, "/"-separated */
  name: string;
}

export interface CollectOptions {
  baseDir: string;
  /** walk directories given as subjects */
  recursive: boolean;
  /** absolute paths never to include (the attestation file itself) */
  exclude?: readonly string[];
}

export function subjectName(baseDir: string, path: string): string {
  const rel = relative(resolve(baseDir), resolve(path));
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new PqsignError('ERR_USAGE', `is outside the base directory ${baseDir} (set ${opt('baseDir')})`, { file: path });
  }
  return rel.split(sep).join('/');
}

/** Expand the arguments into a sorted, de-duplicated list of regular files. */
export async function collectSubjects(args: readonly string[], opts: CollectOptions): Promise<SubjectFile[]> {
  const found = new Set<string>();
  for (const arg of args) {
    for (const p of await expand(arg, opts.recursive)) found.add(p);
  }
  for (const x of opts.exclude ?? []) found.delete(resolve(x));
  const subjects = [...found].map((path) => ({ path, name: subjectName(opts.baseDir, path) }));
  return subjects.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function expand(arg: string, recursive: boolean): Promise<string[]> {
  const abs = resolve(arg);
  let st;
  try {
    st = await stat(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(arg, e);
    return expandGlob(arg);
  }
  if (st.isFile()) return [abs];
  if (!st.isDirectory()) throw new PqsignError('ERR_FILE', 'is not a regular file', { file: arg });
  if (!recursive) throw new PqsignError('ERR_USAGE', `is a directory (add ${opt('recursive')} to attest the files in it)`, { file: arg });
  // dot files included (a release directory is attested whole); linked directories are not entered
  const out = await walkFiles(abs);
  if (out.length === 0) throw new PqsignError('ERR_FILE', 'directory has no files to attest', { file: arg });
  return out;
}

/** A non-existent argument is a glob pattern (tinyglobby, loaded only when one is given). */
async function expandGlob(pattern: string): Promise<string[]> {
  const { glob, isDynamicPattern } = await import('tinyglobby');
  if (!isDynamicPattern(pattern)) throw new PqsignError('ERR_FILE', 'no such file', { file: pattern });
  const matches = await glob(pattern, { absolute: true, onlyFiles: true, expandDirectories: false });
  if (matches.length === 0) throw new PqsignError('ERR_FILE', 'no files match this pattern', { file: pattern });
  return matches.map((m) => resolve(m));
}
