// A KMS-compatible server for ML-DSA signing keys: the unmodified AWS SDK and AWS CLI talk to it,
// so pipelines and tests run the same KMS code path offline. Usable in-process:
//   const kms = await startKmsServer({ credential, dataDir }); ... await kms.close();
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PqsignError } from '../base/errors.js';
import { checkFaults, NO_FAULTS, type Faults } from './faults.js';
import { kmsRequestHandler } from './http.js';
import type { Credential } from './sigv4.js';
import { KeyStore } from './store.js';

export type { Credential } from './sigv4.js';
export type { Faults } from './faults.js';

export const DEFAULT_REGION = 'us-east-1';
/** The account id AWS documentation uses in its examples. */
export const DEFAULT_ACCOUNT_ID = '111122223333';

export interface KmsServerOptions {
  /** the one credential pair requests must be signed with */
  credential: Credential;
  /** default 127.0.0.1 (loopback) */
  host?: string;
  /** default 0: a free port */
  port?: number;
  /** persist keys and aliases here; without it they live in memory only */
  dataDir?: string;
  region?: string;
  accountId?: string;
  faults?: Partial<Faults>;
  /** one line per request (operation, status, error, time) */
  log?: (line: string) => void;
  /** what loading the data directory repaired (a dangling alias dropped), one line each */
  warn?: (line: string) => void;
}

export interface RunningKmsServer {
  /** http://HOST:PORT */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly region: string;
  readonly accountId: string;
  readonly dataDir: string | undefined;
  /** live: changing a field changes how the next requests are answered */
  readonly faults: Faults;
  close(): Promise<void>;
}

export async function startKmsServer(opts: KmsServerOptions): Promise<RunningKmsServer> {
  const { credential } = opts;
  if (!credential?.accessKeyId || !credential.secretAccessKey) {
    throw new PqsignError('ERR_USAGE', 'the local KMS needs the credential pair it accepts (access key id and secret access key)');
  }
  const region = opts.region ?? DEFAULT_REGION;
  const accountId = opts.accountId ?? DEFAULT_ACCOUNT_ID;
  if (!/^[a-z]{2}(?:-[a-z]+)+-\d+$/.test(region)) throw new PqsignError('ERR_USAGE', `"${region}" is not an AWS region name`);
  if (!/^\d{12}$/.test(accountId)) throw new PqsignError('ERR_USAGE', `account id must be 12 digits, got "${accountId}"`);
  let faults: Faults;
  try {
    faults = checkFaults({ ...NO_FAULTS, ...opts.faults });
  } catch (e) {
    throw new PqsignError('ERR_USAGE', (e as Error).message);
  }
  const store = await KeyStore.open(opts.dataDir, { region, accountId }, opts.warn);
  const server = createServer(kmsRequestHandler({ credential, region, store, faults, log: opts.log }));
  const host = opts.host ?? '127.0.0.1';
  await listen(server, host, opts.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    host,
    port,
    region,
    accountId,
    dataDir: opts.dataDir,
    faults,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // SDK clients keep connections alive
      });
      await store.flush();
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'EADDRINUSE'
          ? 'the port is in use'
          : e.code === 'EACCES'
            ? 'permission denied'
            : e.code === 'EADDRNOTAVAIL'
              ? 'no such local address'
              : (e.code ?? e.message);
      reject(new PqsignError('ERR_USAGE', `cannot listen on ${host}:${port}: ${why}`));
    };
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}
