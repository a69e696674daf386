// How well this machine runs CPU-bound work on several threads at once: the same fixed SHA-256 loop
// run once per thread, first on one thread after another, then on all threads together. Shared hosts
// (virtual CPUs, turbo limits, noisy neighbours) often give well under cores × the one-thread rate even
// for work with no I/O and no shared data; batch-verify ratios are read against this ceiling.
import { Worker } from 'node:worker_threads';

const UNIT = `
  const { createHash } = require('node:crypto');
  let h = Buffer.alloc(32);
  for (let i = 0; i < 300000; i++) h = createHash('sha256').update(h).digest();
`;

const runUnit = () => new Promise<void>((res, rej) => {
  const w = new Worker(`${UNIT}; require('node:worker_threads').parentPort.postMessage(0);`, { eval: true });
  w.once('message', () => void w.terminate().then(() => res()));
  w.once('error', rej);
});

/** Throughput of `threads` concurrent units against `threads` × one unit at a time (1.0 = perfect). */
export async function cpuScaling(threads: number): Promise<number> {
  await runUnit(); // warm-up: the first worker pays for loading
  let t = performance.now();
  for (let i = 0; i < threads; i++) await runUnit();
  const serial = performance.now() - t;
  t = performance.now();
  await Promise.all(Array.from({ length: threads }, runUnit));
  const parallel = performance.now() - t;
  return serial / (threads * parallel);
}
