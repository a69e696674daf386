// Hash many files over all cores: a pool of worker threads (src/attest/hash-worker.ts), each streaming
// its files once into SHA-256 and SHA-512. Paths go out in batches with at most two batches queued
// per worker (a bounded queue: memory stays flat for any number of files); results are keyed by path.
// One job hashes in the calling thread, as a batch verify of one thread does: no worker to start.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { PqsignError } from '../base/errors.js';
import type { OnProgress } from '../io/progress.js';
import { mapBounded } from '../base/pool.js';
import { FILES_IN_FLIGHT, hashOne, type WorkerResult } from './hash-file.js';

export type { WorkerResult };

export interface FileDigests {
  sha256: string;
  sha512: string;
  size: number;
}

export type HashOutcome = { ok: true; digests: FileDigests } | { ok: false; error: PqsignError };

/** Protocol between the pool and its workers. */
export interface HashRequest {
  batch: number;
  paths: string[];
}
export interface HashReply {
  batch: number;
  results: WorkerResult[];
}

export interface HashOptions {
  /** worker threads, default the number of CPUs */
  jobs?: number | undefined;
  /** what the progress events call this phase (default "hashing") */
  progressLabel?: string | undefined;
  /** told after each batch of files: files done, bytes read */
  onProgress?: OnProgress | undefined;
}

const BATCHES_PER_WORKER = 2;
const MAX_BATCH = 64;

export const defaultJobs = (): number => availableParallelism();

export async function hashFiles(paths: readonly string[], opts: HashOptions = {}): Promise<Map<string, HashOutcome>> {
  const out = new Map<string, HashOutcome>();
  if (paths.length === 0) return out;
  const jobs = Math.max(1, Math.min(opts.jobs ?? defaultJobs(), paths.length));
  // enough batches that every worker stays busy to the end, few enough that messaging stays cheap
  const batchSize = Math.max(1, Math.min(MAX_BATCH, Math.ceil(paths.length / (jobs * 8))));
  const label = opts.progressLabel ?? 'hashing';
  let next = 0;
  let done = 0;
  let bytes = 0;
  const record = (path: string, r: WorkerResult) => {
    if (r.ok) {
      out.set(path, { ok: true, digests: { sha256: r.sha256, sha512: r.sha512, size: r.size } });
      bytes += r.size;
    } else {
      out.set(path, { ok: false, error: new PqsignError(r.code, r.message, { file: path }) });
    }
  };
  if (jobs === 1) {
    await mapBounded(paths, FILES_IN_FLIGHT, hashOne, (r, i) => {
      record(paths[i]!, r.ok ? r.value : { ok: false, code: 'ERR_FILE', message: String(r.error) });
      opts.onProgress?.({ label, unit: 'files', done: ++done, total: paths.length, bytes });
    });
    return out;
  }
  const workers = Array.from({ length: jobs }, () => new Worker(new URL('./hash-worker.js', import.meta.url)));
  try {
    await new Promise<void>((resolveAll, rejectAll) => {
      const pending = new Map<number, string[]>();
      const feed = (w: Worker) => {
        if (next >= paths.length) return;
        const batch = paths.slice(next, next + batchSize);
        const id = next;
        next += batch.length;
        pending.set(id, batch);
        w.postMessage({ batch: id, paths: batch } satisfies HashRequest);
      };
      for (const w of workers) {
        w.on('message', (reply: HashReply) => {
          const batch = pending.get(reply.batch)!;
          pending.delete(reply.batch);
          reply.results.forEach((r, i) => record(batch[i]!, r));
          done += batch.length;
          opts.onProgress?.({ label, unit: 'files', done, total: paths.length, bytes });
          if (done === paths.length) resolveAll();
          else feed(w);
        });
        w.on('error', rejectAll);
        w.on('exit', (code) => {
          if (done < paths.length) rejectAll(new Error(`hash worker exited with code ${code}`));
        });
        for (let i = 0; i < BATCHES_PER_WORKER; i++) feed(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return out;
}
