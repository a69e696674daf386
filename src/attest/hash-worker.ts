// Worker thread of the hash pool: for each path, one streaming read feeds SHA-256 and SHA-512 together
// (hash-file.ts). A few files are in flight at once so small-file open/read/close latency overlaps with hashing.
import { parentPort } from 'node:worker_threads';
import { mapBounded } from '../base/pool.js';
import { FILES_IN_FLIGHT, hashOne } from './hash-file.js';
import type { HashReply, HashRequest } from './hash-pool.js';

parentPort!.on('message', async (req: HashRequest) => {
  const settled = await mapBounded(req.paths, FILES_IN_FLIGHT, hashOne);
  const reply: HashReply = {
    batch: req.batch,
    results: settled.map((r) => (r.ok ? r.value : { ok: false, code: 'ERR_FILE', message: String(r.error) })),
  };
  parentPort!.postMessage(reply);
});
