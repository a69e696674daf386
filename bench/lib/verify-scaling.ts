// How well verifying itself scales on this machine, without files, start-up or messages: the same
// ML-DSA-65 verifications of a 64 KiB message (the batch row's per-file work minus I/O, through
// src/mldsa/mldsa.ts, so node:crypto one-shot under Node 24 and Algorithm 8 under Node 20) on one thread, then
// on THREADS threads at once. Shared hosts (virtual CPUs that are siblings on one core, turbo limits)
// often give well under THREADS × the one-thread rate; the batch ratio is read against this ceiling.
//   node verify-scaling.js THREADS [VERIFICATIONS]   → prints the ratio (1.0 = perfect); 1000 per thread by default
import { randomBytes } from 'node:crypto';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { keygenFromSeed, signMu, verifyMessage } from '../../src/mldsa/mldsa.js';
import { computeMu } from '../../src/mldsa/mu.js';
import { paramByName } from '../../src/mldsa/params.js';

const params = paramByName('ML-DSA-65')!;
const EMPTY = new Uint8Array(0);

interface Unit {
  /** per thread, once to warm up and once timed */
  verifications: number;
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

function run({ verifications, publicKey, message, signature }: Unit): void {
  for (let i = 0; i < verifications; i++)
    if (!verifyMessage(params, publicKey, EMPTY, message, signature)) throw new Error('verification failed');
}

/** Time `threads` workers each running one unit at once (workers already loaded and warmed up). */
async function timed(unit: Unit, threads: number): Promise<number> {
  const workers = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<Worker>((res, rej) => {
          const w = new Worker(new URL(import.meta.url), { workerData: unit });
          w.once('message', () => res(w)); // warmed up
          w.once('error', rej);
        }),
    ),
  );
  const start = performance.now();
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((res) => {
          w.once('message', () => res());
          w.postMessage('go');
        }),
    ),
  );
  const ms = performance.now() - start;
  await Promise.all(workers.map((w) => w.terminate()));
  return ms;
}

if (isMainThread) {
  const threads = Number(process.argv[2]);
  const verifications = Number(process.argv[3] ?? 1000);
  if (!(threads >= 1) || !(verifications >= 1)) throw new Error('usage: verify-scaling.js THREADS [VERIFICATIONS]');
  const { publicKey, secretKey } = keygenFromSeed(params, new Uint8Array(32).fill(1));
  const message = new Uint8Array(randomBytes(64 * 1024));
  const unit = { verifications, publicKey, message, signature: signMu(params, secretKey, computeMu(params, publicKey, message, EMPTY)) };
  const one = await timed(unit, 1);
  const all = await timed(unit, threads);
  process.stdout.write(`${(one / all).toFixed(4)}\n`); // threads × the work in `all`, one × in `one`
} else {
  const unit = workerData as Unit;
  run({ ...unit, message: unit.message }); // warm-up
  parentPort!.postMessage('ready');
  parentPort!.on('message', () => {
    run(unit);
    parentPort!.postMessage('done');
  });
}
