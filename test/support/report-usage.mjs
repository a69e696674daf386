// Preloaded into a child node process (--import): prints its peak resident set size and the bytes it
// read on exit, so a test can check that memory stays flat however large the input is, and that an
// input is read once. Bytes read are Linux's rchar (/proc/self/io, every thread: the fs reads run in
// libuv's pool); it counts reads served from the page cache and of sparse holes too.
import { readFileSync, writeSync } from 'node:fs';

function bytesRead() {
  try {
    return /^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? '';
  } catch {
    return ''; // not Linux: the test asking for it says so
  }
}

process.on('exit', () => {
  writeSync(2, `\nMAX_RSS_KB=${process.resourceUsage().maxRSS}\nREAD_BYTES=${bytesRead()}\n`);
});
