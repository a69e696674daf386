// The overwrite rule (README "Overwriting files"), one for every command that writes, checked for the
// whole run before any input is read or anything is written:
//   - an output is never one of the run's inputs, nor the output of something else in the same run:
//     compared as files (device and inode), so another name, a link or `./` does not hide it; an output
//     that does not exist yet is its directory (device and inode) plus its name;
//   - an existing output is replaced only with --force, or when the command's rule says it may be (sign
//     replaces an older signature of the same kind, the common re-sign during a release).
import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { PqsignError, opt } from '../base/errors.js';
import { fsPath } from '../base/fspath.js';

export interface OverwriteRule {
  /** replace existing outputs (never an input) */
  force?: boolean;
  /** an existing output this command may replace without force, and how the refusal describes it */
  replaceable?: { test: (output: string) => Promise<boolean>; what: string };
}

const statOf = (path: string) => stat(fsPath(path)).catch(() => undefined);
const fileId = (st: { dev: number; ino: number }) => `${st.dev}:${st.ino}`;

/** Where an output will be: the file it is, or for a new file its directory and name. */
async function outputId(path: string): Promise<{ id: string; exists: boolean; isDirectory: boolean }> {
  const st = await statOf(path);
  if (st) return { id: fileId(st), exists: true, isDirectory: st.isDirectory() };
  const dir = await statOf(dirname(path));
  return { id: dir ? `${fileId(dir)}/${basename(path)}` : resolve(path), exists: false, isDirectory: false };
}

/**
 * Refuse the run's outputs that break the rule. `inputs` are every file the run reads (names that are
 * not files, such as awskms:// references, are passed over).
 */
export async function checkOutputs(outputs: readonly string[], inputs: readonly string[], rule: OverwriteRule = {}): Promise<void> {
  const inputIds = new Map<string, string>();
  for (const input of inputs) {
    const st = await statOf(input);
    if (st && !inputIds.has(fileId(st))) inputIds.set(fileId(st), input);
  }
  const seen = new Map<string, string>();
  for (const output of outputs) {
    const out = await outputId(output);
    const input = inputIds.get(out.id);
    if (input !== undefined) {
      const named = input === output ? '' : ` (${input})`;
      throw new PqsignError('ERR_USAGE', `is also an input${named}; inputs are never modified: choose another output`, { file: output });
    }
    const twice = seen.get(out.id);
    if (twice !== undefined) {
      const named = twice === output ? '' : ` (also as ${twice})`;
      throw new PqsignError('ERR_USAGE', `would be written twice in this run${named}: give each output its own name`, { file: output });
    }
    seen.set(out.id, output);
    if (!out.exists) continue;
    if (out.isDirectory) throw new PqsignError('ERR_FILE', 'is a directory, expected an output file', { file: output });
    if (rule.force) continue;
    if (!rule.replaceable) throw new PqsignError('ERR_FILE', `already exists (use ${opt('force')} to overwrite)`, { file: output });
    if (!(await rule.replaceable.test(output))) {
      throw new PqsignError('ERR_FILE', `already exists and is not ${rule.replaceable.what} (use ${opt('force')} to overwrite)`, {
        file: output,
      });
    }
  }
}

/** An output directory, made (0755, parents too) if it does not exist yet. */
export async function makeOutputDir(dir: string): Promise<void> {
  try {
    await mkdir(fsPath(dir), { recursive: true, mode: 0o755 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'is not a directory' : `cannot create directory (${code ?? String(e)})`;
    throw new PqsignError('ERR_FILE', why, { file: dir, cause: e });
  }
}
