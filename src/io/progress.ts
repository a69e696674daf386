// Progress on stderr for large inputs, only when stderr is a TTY (never in CI logs or pipes).
const THRESHOLD = 64 * 1024 * 1024;

export function progressFor(label: string, total: number): ((done: number) => void) | undefined {
  if (!process.stderr.isTTY || total <= THRESHOLD) return undefined;
  const start = Date.now();
  let last = 0;
  return (done) => {
    const now = Date.now();
    if (done < total && now - last < 100) return;
    last = now;
    const frac = Math.min(1, done / total);
    const width = 30;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    const mbps = done / 1e6 / Math.max(0.001, (now - start) / 1000);
    process.stderr.write(`\r${label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${mbps.toFixed(0)} MB/s`);
    if (done >= total) process.stderr.write('\n');
  };
}
