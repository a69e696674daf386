// Batch verification across cores. One queue of jobs; the main thread verifies from it at once while
// up to `threads - 1` worker_threads start (each costs ~100 ms of module loading) and take jobs as soon as
// they report ready. A small batch is done before any worker is ready, a large one uses every core, and
// one job — or --jobs 1 — never starts a worker. Each thread keeps a few jobs in flight so its file reads
// overlap its hashing. Results are reported per job index as they settle; the caller restores input
// order (bin/ordered.ts).
import { Worker } from 'node:worker_threads';
import type { Settled } from './pool.js';
import type { VerifyOutcome } from './verify.js';
import { fromWireError, fromWireOutcome, runVerifyJob, type VerifyJob, type VerifyShared, type WireError, type WireOutcome } from './verify-job.js';

/** Jobs the main thread keeps in flight: enough to overlap large files' reads with hashing and verifying. */
const IN_FLIGHT = 4;
/**
 * Jobs queued at each worker, which runs them one by one: enough that it never waits for the main thread
 * (busy with a job of its own between looks at its messages) to send the next.
 */
const WORKER_QUEUE = 8;

export type WorkerRequest = { id: number; job: VerifyJob };
export type WorkerReply = { ready: true } | { id: number; ok: true; value: WireOutcome } | { id: number; ok: false; error: WireError };

export interface BatchOptions {
  /** verifying threads in all: this one plus up to threads - 1 workers */
  threads: number;
  /** does this thread verify too (default true)? false leaves every job to `threads` workers */
  mainThread?: boolean;
}

export async function verifyJobs(jobs: readonly VerifyJob[], shared: VerifyShared, opts: BatchOptions, onResult: (r: Settled<VerifyOutcome>, index: number) => void): Promise<void> {
  if (jobs.length === 0) return;
  const main = opts.mainThread ?? true;
  const workers = Math.max(main ? 0 : 1, Math.min(opts.threads, jobs.length) - (main ? 1 : 0));
  await new Batch(jobs, shared, main, onResult).run(workers);
}

class Batch {
  private next = 0;
  private settled = 0;
  private readonly inFlight = new Map<Worker, Set<number>>();
  private done!: () => void;

  constructor(
    private readonly jobs: readonly VerifyJob[],
    private readonly shared: VerifyShared,
    private readonly mainThread: boolean,
    private readonly onResult: (r: Settled<VerifyOutcome>, index: number) => void,
  ) {}

  async run(workers: number): Promise<void> {
    const finished = new Promise<void>((res) => (this.done = res));
    for (let i = 0; i < workers; i++) this.start();
    const local = async () => {
      for (let id = this.take(); id !== undefined; id = this.take()) {
        try {
          this.settle(id, { ok: true, value: await runVerifyJob(this.jobs[id]!, this.shared) });
        } catch (error) {
          this.settle(id, { ok: false, error });
        }
        // Small files are read synchronously, so a job may never wait on the event loop: give it a turn,
        // or the workers' messages (ready, results) would only be handled once this thread ran out of jobs.
        await new Promise(setImmediate);
      }
    };
    await Promise.all([finished, ...Array.from({ length: this.mainThread ? IN_FLIGHT : 0 }, local)]);
    await Promise.all([...this.inFlight.keys()].map((w) => w.terminate()));
  }

  private take(): number | undefined {
    return this.next < this.jobs.length ? this.next++ : undefined;
  }

  private start(): void {
    const w = new Worker(new URL('./verify-worker.js', import.meta.url), { workerData: this.shared });
    this.inFlight.set(w, new Set());
    w.on('message', (m: WorkerReply) => {
      if ('id' in m) {
        this.inFlight.get(w)?.delete(m.id);
        this.settle(m.id, m.ok ? { ok: true, value: fromWireOutcome(m.value) } : { ok: false, error: fromWireError(m.error) });
      }
      this.feed(w);
    });
    // A worker that dies takes only its own in-flight jobs with it; the other threads carry on with the
    // queue (and when no thread is left, the rest of the queue fails with the same error).
    const lost = (error: Error) => {
      const ids = this.inFlight.get(w);
      if (!ids) return;
      this.inFlight.delete(w);
      for (const id of ids) this.settle(id, { ok: false, error });
      if (this.inFlight.size === 0 && !this.mainThread) for (let id = this.take(); id !== undefined; id = this.take()) this.settle(id, { ok: false, error });
    };
    w.on('error', lost);
    w.on('exit', (code) => lost(new Error(`verification worker exited (code ${code})`)));
  }

  private feed(w: Worker): void {
    const ids = this.inFlight.get(w);
    while (ids && ids.size < WORKER_QUEUE) {
      const id = this.take();
      if (id === undefined) return;
      ids.add(id);
      w.postMessage({ id, job: this.jobs[id]! } satisfies WorkerRequest);
    }
  }

  private settle(id: number, r: Settled<VerifyOutcome>): void {
    this.onResult(r, id);
    if (++this.settled === this.jobs.length) this.done();
  }
}
