// One file streamed once into SHA-256 and SHA-512 together: the hash pool's unit of work, run by its
// worker threads (hash-worker.ts), or in the calling thread when the pool is one thread (hash-pool.ts).
import { createHash } from 'node:crypto';
import { isPqsignError, type ErrorCode } from '../base/errors.js';
import { READ_CHUNK, readChunks, statInput } from '../io/read.js';

/** one file's digests and size, or why it could not be read (what a worker sends back per path) */
export type WorkerResult = { ok: true; sha256: string; sha512: string; size: number } | { ok: false; code: ErrorCode; message: string };

/** files read at once by one thread: small-file open/read/close latency overlaps with hashing */
export const FILES_IN_FLIGHT = 4;

export async function hashOne(path: string): Promise<WorkerResult> {
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
