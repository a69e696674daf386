// The command line as the user typed it, bytes included. Node decodes each argument as UTF-8 and puts
// U+FFFD for bytes that are not UTF-8, so the file name `bad\xff.bin` arrives as `bad\uFFFD.bin`, a
// file that does not exist. Linux keeps the original bytes in /proc/self/cmdline: an argument that
// came out with U+FFFD is taken from there, in the escaped form src/base/fspath.ts turns back into those
// bytes at every file access. Elsewhere (no /proc) such an argument stays as Node decoded it.
import { readFileSync } from 'node:fs';
import { hideBin } from 'yargs/helpers';
import { decodeFsName } from '../src/base/fspath.js';

export function commandLine(argv: readonly string[] = process.argv): string[] {
  const args = hideBin([...argv]);
  if (!args.some((a) => a.includes('\uFFFD'))) return args;
  let cmdline: Buffer;
  try {
    cmdline = readFileSync('/proc/self/cmdline');
  } catch {
    return args;
  }
  const raw = splitNul(cmdline);
  // Ours are the last ones (before them: node, its own options, the script), unless the process
  // changed its title: then they no longer decode to what Node gave us, and are not used.
  const tail = raw.slice(raw.length - args.length);
  if (tail.length !== args.length) return args;
  return args.map((a, i) => (a.includes('\uFFFD') && tail[i]!.toString('utf8') === a ? decodeFsName(tail[i]!) : a));
}

function splitNul(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let start = 0; start < b.length;) {
    const end = b.indexOf(0, start);
    out.push(b.subarray(start, end === -1 ? b.length : end));
    start = end === -1 ? b.length : end + 1;
  }
  return out;
}
