// A release signing many artifacts against a KMS with per-request latency: the local KMS server (in
// this process) with --latency 25, `pqsign sign` of N small files at --concurrency 8, against the same
// files signed serially (--concurrency 1) in the same run: wall time vs serial time / concurrency.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startKmsServer } from '../../src/kms-server/index.js';
import { fmt, type BenchContext } from '../lib/context.js';
import type { BenchRow } from './types.js';

const LATENCY_MS = 25;
const CONCURRENCY = 8;

export const kmsRow: BenchRow = {
  id: 'kms',
  title: 'KMS batch',
  async run(ctx: BenchContext) {
    const n = ctx.sizes.kmsFiles;
    const credential = { accessKeyId: 'AKIAPQSIGNBENCH00001', secretAccessKey: randomBytes(24).toString('base64url') };
    const server = await startKmsServer({ credential, faults: { latencyMs: LATENCY_MS } });
    try {
      const authority = server.url.slice('http://'.length);
      const env = {
        AWS_ACCESS_KEY_ID: credential.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credential.secretAccessKey,
        AWS_SESSION_TOKEN: '',
        AWS_REGION: server.region,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      };
      await ctx.pqsign(['kms', 'create-key', '--endpoint', authority, '--spec', 'ML_DSA_65', '--alias', 'alias/bench'], { env });
      const dir = join(ctx.tmp, 'kms');
      mkdirSync(dir);
      const files = Array.from({ length: n }, (_, i) => join(dir, `artifact-${String(i).padStart(4, '0')}.bin`));
      for (const f of files) await writeFile(f, randomBytes(1024));
      const sign = (concurrency: number) =>
        ctx.pqsign(
          ['sign', ...files, '--key', `awskms://${authority}/alias/bench`, '--out-dir', dir, '--concurrency', String(concurrency)],
          { env },
        );
      const parallel = await sign(CONCURRENCY);
      const serial = await sign(1);
      const ideal = serial.wallMs / CONCURRENCY;
      return [
        {
          measurement: `sign ${n} files of 1 KiB through the local KMS (latency ${LATENCY_MS} ms), --concurrency ${CONCURRENCY}`,
          ours: `${fmt.ms(parallel.wallMs)} (${(n / (parallel.wallMs / 1000)).toFixed(0)} files/s)`,
          baseline: `serial (--concurrency 1) ${fmt.ms(serial.wallMs)}; / ${CONCURRENCY} = ${fmt.ms(ideal)}`,
          ratio: fmt.ratio(parallel.wallMs / ideal),
          note: 'ratio 1.0 would be perfect overlap; CPU work per file (μ, local verify of each signature, the server signing) does not overlap on 2 cores',
        },
      ];
    } finally {
      await server.close();
    }
  },
};
