// Worker thread of the batch verifier (batch.ts): says it is ready once its modules are loaded, then
// verifies the jobs it is sent with the resolved public keys it was started with, and answers each
// with plain data.
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from './batch.js';
import { KeySet, runVerifyJob, toWireError, toWireOutcome, type VerifyShared } from './verify-job.js';

const shared = workerData as VerifyShared;
const keys = new KeySet(shared.keys);
const port = parentPort!;

port.on('message', ({ id, job }: WorkerRequest) => {
  runVerifyJob(job, keys, shared.formatOptions).then(
    (value) => port.postMessage({ id, ok: true, value: toWireOutcome(value) } satisfies WorkerReply),
    (error: unknown) => port.postMessage({ id, ok: false, error: toWireError(error) } satisfies WorkerReply),
  );
});

port.postMessage({ ready: true } satisfies WorkerReply);
