// Options shared by `attest` and `verify-attestation`.
import type { Options } from 'yargs';
import { usage } from './cli.js';

export const baseDirOption: Options = { type: 'string', default: '.', describe: 'subject names are paths relative to this directory' };
export const jobsOption: Options = { type: 'number', describe: 'hashing threads (default: number of CPUs)' };

export function checkJobs(jobs: number | undefined): void {
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) throw usage('--jobs must be a positive integer');
}
