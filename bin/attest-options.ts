// Options shared by `attest` and `verify-attestation`.
import type { Options } from 'yargs';

export const baseDirOption: Options = { type: 'string', default: '.', describe: 'subject names are paths relative to this directory' };
export const jobsOption: Options = { type: 'number', describe: 'hashing threads (default: number of CPUs)' };
