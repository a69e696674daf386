// `verify --recursive DIR`: the inputs of a tree, paired with their signatures by the formats' default
// suffixes (FORMATS[i].suffix, so a new format pairs without changes here):
//   - X and X<suffix> both present → X is an input; verifyPath checks every X<suffix> beside it;
//   - X<suffix> whose X is absent → a container verified on its own (embedded payload), or an orphan
//     signature, which verifyPath reports as such;
//   - X with no signature → verifyPath reports "no signature found" (an unsigned file fails the batch).
// Files as src/io/walk.ts lists them (file symlinks included, directory symlinks not entered), in path order.
import { stat } from 'node:fs/promises';
import { PqsignError, opt } from '../base/errors.js';
import { fsPath } from '../base/fspath.js';
import { fileError } from '../io/read.js';
import { walkFiles } from '../io/walk.js';

export interface TreePair {
  file: string;
}

export async function pairTree(dir: string, suffixes: readonly string[]): Promise<TreePair[]> {
  let st;
  try {
    st = await stat(fsPath(dir));
  } catch (e) {
    throw fileError(dir, e);
  }
  if (!st.isDirectory()) throw new PqsignError('ERR_FILE', `is not a directory (${opt('recursive')} takes a directory)`, { file: dir });
  const files = (await walkFiles(dir)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const present = new Set(files);
  // longest first, so ".intoto.jsonl" wins over ".jsonl"
  const bySuffix = [...new Set(suffixes)].sort((a, b) => b.length - a.length);
  const pairs: TreePair[] = [];
  for (const f of files) {
    const isSignatureOfPresent = bySuffix.some((s) => f.length > s.length && f.endsWith(s) && present.has(f.slice(0, -s.length)));
    if (isSignatureOfPresent) continue; // verified with its artifact
    pairs.push({ file: f });
  }
  return pairs;
}
