// Batch verification across cores. One queue of jobs; the main thread verifies from it at once, and
// worker_threads (up to `threads - 1`) start only once the batch has shown it is large enough to pay for
// them: a worker costs a module load and its own JIT warm-up (a good part of a second of CPU on a busy
// machine) before it verifies anything, which a small batch never earns back (on 200 files of 256 KiB,
// starting one at once made the default slower than --jobs 1). Once this thread has run for a while (after
// each job it finishes, and on a timer for jobs that take long), the work still queued is estimated from its
// pace, its first jobs (its own warm-up) left out, and one worker starts per WORKER_WORTH_MS of it; they
// take jobs as soon as they report ready. One job — or --jobs 1 — never starts a worker. Each
// thread keeps a few jobs in flight so its file reads overlap its hashing. Results are reported per job
// index as they settle; the caller restores input order (bin/ordered.ts).
import { Worker } from 'node:worker_threads';
import { PqsignError } from '../base/errors.js';
import type { Settled } from '../base/pool.js';
import type { VerifyOutcome } from '../pipeline/verify.js';
import {
  fromWireError,
  fromWireOutcome,
  runVerifyJob,
  type VerifyJob,
  type VerifyShared,
  type WireError,
  type WireOutcome,
} from './verify-job.js';
import { mlDsaBackendChoice } from '../mldsa/mldsa.js';

/** Jobs the main thread keeps in flight: enough to overlap large files' reads with hashing and verifying. */
const IN_FLIGHT = 4;
/**
 * Jobs queued at each worker, which runs them one by one: enough that it never waits for the main thread
 * (busy with a job of its own between looks at its messages) to send the next.
 */
const WORKER_QUEUE = 8;
/** Queued work (as this thread alone would take, by its pace so far) that warrants starting one more worker. */
const WORKER_WORTH_MS = 1000;
/** No decision before this: the pace of the first jobs is mostly this thread's compiling and JIT warm-up. */
const DECIDE_AFTER_MS = 250;
/** Jobs left out of the pace, once there are more than these. */
const WARM_UP_JOBS = 8;

export type WorkerRequest = { id: number; job: VerifyJob };
export type WorkerReply = { ready: true } | { id: number; ok: true; value: WireOutcome } | { id: number; ok: false; error: WireError };

export interface BatchOptions {
  /** verifying threads in all: this one plus up to threads - 1 workers */
  threads: number;
  /** does this thread verify too (default true)? false leaves every job to `threads` workers, started at once */
  mainThread?: boolean;
  /** queued work per worker started (default WORKER_WORTH_MS); 0 starts them all at once */
  workerWorthMs?: number;
  /**
   * The worker threads' entry module (lib/verify-worker.ts, which registers the formats this layer
   * cannot import); needed when threads > 1.
   */
  workerUrl?: URL | undefined;
}

/** Verify every job; resolves with the number of workers the batch started. */
export async function verifyJobs(
  jobs: readonly VerifyJob[],
  shared: VerifyShared,
  opts: BatchOptions,
  onResult: (r: Settled<VerifyOutcome>, index: number) => void,
): Promise<{ workers: number }> {
  if (jobs.length === 0) return { workers: 0 };
  const main = opts.mainThread ?? true;
  const workers = Math.max(main ? 0 : 1, Math.min(opts.threads, jobs.length) - (main ? 1 : 0));
  if (workers > 0 && !opts.workerUrl)
    throw new PqsignError('ERR_USAGE', 'verifying on more than one thread needs workerUrl (lib/verify-worker.js)');
  const batch = new Batch(jobs, shared, main, onResult, opts.workerWorthMs ?? WORKER_WORTH_MS, opts.workerUrl);
  await batch.run(workers);
  return { workers: batch.workersStarted };
}

class Batch {
  private next = 0;
  private settled = 0;
  private readonly inFlight = new Map<Worker, Set<number>>();
  private done!: () => void;
  /** workers this batch may still start, and has started */
  private spare = 0;
  private started = 0;

  get workersStarted(): number {
    return this.started;
  }
  private readonly startedAt = performance.now();
  /** when this thread finished its WARM_UP_JOBS-th job */
  private warmAt: number | undefined;
  /** jobs this thread has finished */
  private localDone = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly jobs: readonly VerifyJob[],
    private readonly shared: VerifyShared,
    private readonly mainThread: boolean,
    private readonly onResult: (r: Settled<VerifyOutcome>, index: number) => void,
    private readonly workerWorthMs: number,
    private readonly workerUrl: URL | undefined,
  ) {}

  async run(workers: number): Promise<void> {
    const finished = new Promise<void>((res) => (this.done = res));
    this.spare = workers;
    if (!this.mainThread || this.workerWorthMs <= 0) this.startWorkers(workers);
    else if (workers > 0) this.timer = setInterval(() => this.workersIfWorthIt(), DECIDE_AFTER_MS).unref();
    const local = async () => {
      for (let id = this.take(); id !== undefined; id = this.take()) {
        try {
          this.settle(id, { ok: true, value: await runVerifyJob(this.jobs[id]!, this.shared) });
        } catch (error) {
          this.settle(id, { ok: false, error });
        }
        if (++this.localDone === WARM_UP_JOBS) this.warmAt = performance.now();
        this.workersIfWorthIt();
        // Small files are read synchronously, so a job may never wait on the event loop: give it a turn,
        // or the workers' messages (ready, results) would only be handled once this thread ran out of jobs.
        await new Promise(setImmediate);
      }
    };
    await Promise.all([finished, ...Array.from({ length: this.mainThread ? IN_FLIGHT : 0 }, local)]);
    clearInterval(this.timer);
    await Promise.all([...this.inFlight.keys()].map((w) => w.terminate()));
  }

  /** Start workers for the queued work this thread would take WORKER_WORTH_MS or more to do alone. */
  private workersIfWorthIt(): void {
    const now = performance.now();
    if (this.spare === 0 || now - this.startedAt < DECIDE_AFTER_MS) return;
    const msPerJob =
      this.warmAt !== undefined && this.localDone > WARM_UP_JOBS
        ? (now - this.warmAt) / (this.localDone - WARM_UP_JOBS)
        : (now - this.startedAt) / Math.max(1, this.localDone); // long jobs: none or few done yet
    const queuedMs = (this.jobs.length - this.next) * msPerJob;
    this.startWorkers(Math.floor(queuedMs / this.workerWorthMs) - this.started);
  }

  private startWorkers(n: number): void {
    for (let i = 0; i < n && this.spare > 0; i++, this.spare--, this.started++) this.start();
  }

  private take(): number | undefined {
    return this.next < this.jobs.length ? this.next++ : undefined;
  }

  private start(): void {
    const w = new Worker(this.workerUrl!, { workerData: { ...this.shared, mldsaBackend: mlDsaBackendChoice() } satisfies VerifyShared });
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
      if (this.inFlight.size === 0 && !this.mainThread)
        for (let id = this.take(); id !== undefined; id = this.take()) this.settle(id, { ok: false, error });
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
