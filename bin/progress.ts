// The CLI's rendering of the library's progress events (src/io/progress.ts): a bar on stderr for inputs
// over 64 MiB, "N/M files" for lists of 200 files or more; only when stderr is a TTY, never in CI logs or pipes.
import type { OnProgress, ProgressEvent } from '../src/io/progress.js';

const MIN_BYTES = 64 * 1024 * 1024;
const MIN_FILES = 200;
const EVERY_MS = 100;

/** A progress callback drawing on stderr, or undefined when stderr is not a terminal. */
export function terminalProgress(): OnProgress | undefined {
  if (!process.stderr.isTTY) return undefined;
  const started = new Map<string, { at: number; last: number }>();
  return (e) => {
    if (e.unit === 'bytes' ? e.total <= MIN_BYTES : e.total < MIN_FILES) return;
    const now = Date.now();
    const s = started.get(e.label) ?? { at: now, last: 0 };
    started.set(e.label, s);
    const finished = e.done >= e.total;
    if (!finished && now - s.last < EVERY_MS) return;
    s.last = now;
    process.stderr.write(`\r${line(e, now - s.at)}`);
    if (finished) {
      process.stderr.write('\n');
      started.delete(e.label);
    }
  };
}

function line(e: ProgressEvent, ms: number): string {
  if (e.unit === 'files') return `${e.label} ${e.done}/${e.total} files, ${((e.bytes ?? 0) / 1e6).toFixed(1)} MB`;
  const frac = Math.min(1, e.done / e.total);
  const width = 30;
  const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
  const mbps = e.done / 1e6 / Math.max(0.001, ms / 1000);
  return `${e.label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${mbps.toFixed(0)} MB/s`;
}
