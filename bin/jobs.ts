// --jobs (verifying or hashing threads) for every command that takes it: a whole number, at least 1, and
// no more than the CPUs this process may use. More threads than CPUs only add memory and switching (each
// worker loads the code and warms up its own JIT), so such a value is lowered, with a warning.
import { availableParallelism } from 'node:os';
import { usage } from './cli.js';

export function checkJobs(jobs: number | undefined): number | undefined {
  if (jobs === undefined) return undefined;
  if (!Number.isInteger(jobs) || jobs < 1) throw usage('--jobs must be a whole number, at least 1');
  const cpus = availableParallelism();
  if (jobs <= cpus) return jobs;
  process.stderr.write(`pqsign: warning: --jobs ${jobs} is more than the ${cpus} CPUs available; using ${cpus}\n`);
  return cpus;
}
