// Batch verification across cores: worker_threads, each verifying a few jobs at a time (so its reads
// overlap its hashing), fed from one queue. One job — or --jobs 1 — stays in this thread: no worker
// start-up for the common single-file case. Results are reported per job index as they settle; the
// caller restores input order (bin/ordered.ts).
import { Worker } from 'node:worker_threads';
import type { Settled } from './pool.js';
import { mapBounded } from './pool.js';
import type { VerifyOutcome } from './verify.js';
import { KeySet, fromWireError, fromWireOutcome, runVerifyJob, type VerifyJob, type VerifyShared, type WireError, type WireOutcome } from './verify-job.js';

/** Jobs one thread keeps in flight: enough to overlap file reads with hashing and verifying. */
const IN_FLIGHT = 4;

export type WorkerRequest = { id: number; job: VerifyJob };
export type WorkerReply = { id: number; ok: true; value: WireOutcome } | { id: number; ok: false; error: WireError };

export async function verifyJobs(jobs: readonly VerifyJob[], shared: VerifyShared, threads: number, onResult: (r: Settled<VerifyOutcome>, index: number) => void): Promise<void> {
  if (threads <= 1 || jobs.length <= 1) {
    const keys = new KeySet(shared.keys);
    await mapBounded(jobs, IN_FLIGHT, (job) => runVerifyJob(job, keys, shared.formatOptions), onResult);
    return;
  }
  await new WorkerPool(jobs, shared, Math.min(threads, jobs.length), onResult).run();
}

class WorkerPool {
  private next = 0;
  private settled = 0;
  private readonly inFlight = new Map<Worker, Set<number>>();
  private done!: () => void;

  constructor(
    private readonly jobs: readonly VerifyJob[],
    private readonly shared: VerifyShared,
    private readonly size: number,
    private readonly onResult: (r: Settled<VerifyOutcome>, index: number) => void,
  ) {}

  async run(): Promise<void> {
    const finished = new Promise<void>((res) => (this.done = res));
    for (let i = 0; i < this.size; i++) this.start();
    await finished;
    await Promise.all([...this.inFlight.keys()].map((w) => w.terminate()));
  }

  private start(): void {
    const w = new Worker(new URL('./verify-worker.js', import.meta.url), { workerData: this.shared });
    this.inFlight.set(w, new Set());
    w.on('message', (m: WorkerReply) => {
      this.inFlight.get(w)!.delete(m.id);
      this.settle(m.id, m.ok ? { ok: true, value: fromWireOutcome(m.value) } : { ok: false, error: fromWireError(m.error) });
      this.feed(w);
    });
    // A worker that dies takes only its own in-flight jobs with it; the others carry on with the queue.
    const lost = (error: Error) => {
      const ids = this.inFlight.get(w);
      if (!ids) return;
      this.inFlight.delete(w);
      for (const id of ids) this.settle(id, { ok: false, error });
      if (this.inFlight.size === 0) while (this.next < this.jobs.length) this.settle(this.next++, { ok: false, error });
    };
    w.on('error', lost);
    w.on('exit', (code) => lost(new Error(`verification worker exited (code ${code})`)));
    this.feed(w);
  }

  private feed(w: Worker): void {
    const ids = this.inFlight.get(w);
    while (ids && ids.size < IN_FLIGHT && this.next < this.jobs.length) {
      const id = this.next++;
      ids.add(id);
      w.postMessage({ id, job: this.jobs[id]! } satisfies WorkerRequest);
    }
  }

  private settle(id: number, r: Settled<VerifyOutcome>): void {
    this.onResult(r, id);
    if (++this.settled === this.jobs.length) this.done();
  }
}
