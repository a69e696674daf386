// Every regular file below a directory, dot files included, except pqsign's own temp files (an output
// being written, or left by a killed process: never an input). Symbolic links to files count as files
// (under the link's name); linked directories are not entered, so a link cannot loop or pull in files
// from outside the tree. Names are read as bytes (src/base/fspath.ts), so a name that is not UTF-8 is
// listed and can be opened. Order is readdir's: callers sort as they need.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isTempName } from './atomic.js';
import { decodeFsName, fsPath } from '../base/fspath.js';
import { fileError } from './read.js';

export async function walkFiles(dir: string, out: string[] = []): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(fsPath(dir), { withFileTypes: true, encoding: 'buffer' });
  } catch (e) {
    throw fileError(dir, e);
  }
  for (const d of entries) {
    const name = decodeFsName(d.name);
    if (isTempName(name)) continue;
    const p = join(dir, name);
    if (d.isDirectory()) await walkFiles(p, out);
    else if (d.isFile()) out.push(p);
    else if (
      d.isSymbolicLink() &&
      (await stat(fsPath(p)).then(
        (s) => s.isFile(),
        () => false,
      ))
    )
      out.push(p);
  }
  return out;
}
