// Worker thread of the hash pool: for each path, one streaming read feeds SHA-256 and SHA-512 together.
// A few files are in flight at once so small-file open/read/close latency overlaps with hashing.
import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { isPqsignError } from '../base/errors.js';
import { READ_CHUNK, readChunks, statInput } from '../io/read.js';
import { mapBounded } from '../base/pool.js';
import type { HashReply, HashRequest, WorkerResult } from './hash-pool.js';

const FILES_IN_FLIGHT = 4;

async function hashOne(path: string): Promise<WorkerResult> {
  try {
    const { size } = await statInput(path);
    const sha256 = createHash('sha256');
    const sha512 = createHash('sha512');
    // buffers sized to the file: thousands of small subjects must not each allocate 2 x 4 MiB
    let bytes = 0;
    for await (const chunk of readChunks(path, { chunkSize: Math.max(1, Math.min(size, READ_CHUNK)) })) {
      sha256.update(chunk);
      sha512.update(chunk);
      bytes += chunk.length;
    }
    return { ok: true, sha256: sha256.digest('hex'), sha512: sha512.digest('hex'), size: bytes };
  } catch (e) {
    return isPqsignError(e)
      ? { ok: false, code: e.code, message: e.message }
      : { ok: false, code: 'ERR_FILE', message: `cannot read (${String(e)})` };
  }
}

parentPort!.on('message', async (req: HashRequest) => {
  const settled = await mapBounded(req.paths, FILES_IN_FLIGHT, hashOne);
  const reply: HashReply = {
    batch: req.batch,
    results: settled.map((r) => (r.ok ? r.value : { ok: false, code: 'ERR_FILE', message: String(r.error) })),
  };
  parentPort!.postMessage(reply);
});
