// The loop of a batch verifier's worker thread (batch.ts): says it is ready once its modules are loaded,
// then verifies the jobs it is sent with the resolved public keys it was started with, and answers each
// with plain data. The thread's entry point (lib/verify-worker.ts) registers the formats first.
import type { MessagePort } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from './batch.js';
import { runVerifyJob, toWireError, toWireOutcome, type VerifyShared } from './verify-job.js';

export function serveVerifyJobs(port: MessagePort, shared: VerifyShared): void {
  // One job at a time, in arrival order: each result goes back as soon as it is known, so the main thread
  // refills this worker's queue while it works on the next job (jobs started together would finish
  // together and leave the worker idle until the main thread next turned to its messages).
  const queue: WorkerRequest[] = [];
  let draining = false;

  async function drain(): Promise<void> {
    draining = true;
    for (let req = queue.shift(); req; req = queue.shift()) {
      const { id, job } = req;
      try {
        port.postMessage({ id, ok: true, value: toWireOutcome(await runVerifyJob(job, shared)) } satisfies WorkerReply);
      } catch (error) {
        port.postMessage({ id, ok: false, error: toWireError(error) } satisfies WorkerReply);
      }
    }
    draining = false;
  }

  port.on('message', (req: WorkerRequest) => {
    queue.push(req);
    if (!draining) void drain();
  });

  port.postMessage({ ready: true } satisfies WorkerReply);
}
