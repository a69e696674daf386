// Every regular file below a directory, dot files included. Symbolic links to files count as files
// (under the link's name); linked directories are not entered, so a link cannot loop or pull in files
// from outside the tree. Order is readdir's: callers sort as they need.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileError } from './read.js';

export async function walkFiles(dir: string, out: string[] = []): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw fileError(dir, e);
  }
  for (const d of entries) {
    const p = join(dir, d.name);
    if (d.isDirectory()) await walkFiles(p, out);
    else if (d.isFile()) out.push(p);
    else if (d.isSymbolicLink() && (await stat(p).then((s) => s.isFile(), () => false))) out.push(p);
  }
  return out;
}
