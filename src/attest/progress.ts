// "N/M files" progress on stderr for long subject lists, only when stderr is a TTY (never in CI logs).
const MIN_FILES = 200;

export function countProgress(label: string, total: number): ((done: number, bytes: number) => void) | undefined {
  if (!process.stderr.isTTY || total < MIN_FILES) return undefined;
  let last = 0;
  return (done, bytes) => {
    const now = Date.now();
    if (done < total && now - last < 100) return;
    last = now;
    process.stderr.write(`\r${label} ${done}/${total} files, ${(bytes / 1e6).toFixed(1)} MB`);
    if (done >= total) process.stderr.write('\n');
  };
}
