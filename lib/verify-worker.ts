// Entry point of a batch verifier's worker thread: the same formats as the thread that started it (the
// built-ins, then the plugin modules it had loaded), then the job loop.
import { parentPort, workerData } from 'node:worker_threads';
import './builtins.js';
import { loadPlugin } from '../src/pipeline/registry.js';
import { serveVerifyJobs } from '../src/batch/serve-jobs.js';
import { setMlDsaBackend } from '../src/mldsa/mldsa.js';
import type { VerifyShared } from '../src/batch/verify-job.js';

const shared = workerData as VerifyShared;
if (shared.mldsaBackend) setMlDsaBackend(shared.mldsaBackend);
for (const url of shared.plugins ?? []) await loadPlugin(url);
serveVerifyJobs(parentPort!, shared);
