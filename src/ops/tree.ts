// `verify --recursive DIR`: pair every artifact in a tree with its detached signatures by the formats'
// default suffixes (FORMATS[i].suffix, so a new format pairs without changes here):
//   - X and X<suffix> both present → verify X against X<suffix> (once per signature found);
//   - X<suffix> whose X is absent → a container verified on its own (embedded payload), or an orphan
//     signature, which verifyPath reports as such;
//   - X with no signature → verifyPath reports "no signature found" (an unsigned file fails the batch).
// Directory symlinks are not followed (no loops); symlinks to files are verified like files.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PqsignError } from '../errors.js';
import { fileError } from '../io/read.js';

export interface TreePair {
  file: string;
  sig?: string;
}

export async function pairTree(dir: string, suffixes: readonly string[]): Promise<TreePair[]> {
  let st;
  try {
    st = await stat(dir);
  } catch (e) {
    throw fileError(dir, e);
  }
  if (!st.isDirectory()) throw new PqsignError('ERR_FILE', 'is not a directory (--recursive takes a directory)', { file: dir });
  const files = await listFiles(dir);
  const present = new Set(files);
  // longest first, so ".intoto.jsonl" wins over ".jsonl"
  const bySuffix = [...new Set(suffixes)].sort((a, b) => b.length - a.length);
  const pairs: TreePair[] = [];
  for (const f of files) {
    const isSignatureOfPresent = bySuffix.some((s) => f.length > s.length && f.endsWith(s) && present.has(f.slice(0, -s.length)));
    if (isSignatureOfPresent) continue; // verified with its artifact
    const sigs = bySuffix.map((s) => f + s).filter((c) => present.has(c));
    if (sigs.length === 0) pairs.push({ file: f });
    else for (const sig of sigs) pairs.push({ file: f, sig });
  }
  return pairs;
}

/** Regular files under dir (and symlinks to them), depth first, names in code-unit order. */
async function listFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw fileError(dir, e);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (e.isFile()) out.push(p);
    else if (e.isSymbolicLink() && (await stat(p).then((s) => s.isFile(), () => false))) out.push(p);
  }
  return out;
}
