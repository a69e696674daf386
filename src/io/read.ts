// One read pass over a file with large buffers and read-ahead: while the caller hashes chunk N,
// the thread pool is already reading chunk N+1. Chunks are views into two reused buffers, so a
// chunk is valid only until the next iteration: consume it synchronously (hash update copies).
import { open, stat } from 'node:fs/promises';
import { PqsignError } from '../errors.js';
import { concatBytes } from '../bytes.js';

/**
 * Read size. Measured (bench row "read size"): from 512 KiB up the main thread is hashing-bound and its
 * time per GiB is flat; 128–256 KiB reads add 2–7 % of per-read overhead. 4 MiB is as fast as any size
 * from the page cache and makes fewer, larger reads of cold files, for 8 MiB of buffers.
 */
export const READ_CHUNK = 4 * 1024 * 1024;

export async function statInput(path: string): Promise<{ size: number }> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    throw fileError(path, e);
  }
  if (st.isDirectory()) throw new PqsignError('ERR_FILE', 'is a directory, expected a file', { file: path });
  if (!st.isFile()) throw new PqsignError('ERR_FILE', 'is not a regular file', { file: path });
  return { size: st.size };
}

export function fileError(path: string, e: unknown): PqsignError {
  const code = (e as NodeJS.ErrnoException)?.code;
  const why =
    code === 'ENOENT' ? 'no such file' :
    code === 'EACCES' || code === 'EPERM' ? 'permission denied' :
    code === 'EISDIR' ? 'is a directory, expected a file' :
    code === 'ENOTDIR' ? 'a parent of this path is not a directory' :
    `cannot read (${code ?? String(e)})`;
  return new PqsignError('ERR_FILE', why, { file: path, cause: e });
}

export interface ReadOptions {
  chunkSize?: number;
  /** called after each chunk with the bytes read so far */
  onProgress?: (bytesRead: number) => void;
  /** byte range [start, end) of the file, default the whole file */
  start?: number;
  end?: number;
}

export async function* readChunks(path: string, opts: ReadOptions = {}): AsyncGenerator<Uint8Array> {
  const chunkSize = opts.chunkSize ?? READ_CHUNK;
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw fileError(path, e);
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new PqsignError('ERR_FILE', 'is a directory, expected a file', { file: path });
    const end = Math.min(opts.end ?? st.size, st.size);
    let pos = opts.start ?? 0;
    // Buffers no larger than the range, the second one only when there is a second read: a batch of
    // small files must not allocate 2 × READ_CHUNK per file.
    const bufSize = Math.max(1, Math.min(chunkSize, end - pos));
    const bufs: (Buffer | undefined)[] = [Buffer.allocUnsafe(bufSize), undefined];
    let which = 0;
    const readAt = (at: number) => {
      if (at >= end) return Promise.resolve({ bytesRead: 0 });
      const buf = (bufs[which] ??= Buffer.allocUnsafe(bufSize));
      return fh!.read(buf, 0, Math.min(bufSize, end - at), at);
    };
    let pending = readAt(pos);
    let total = 0;
    for (;;) {
      let r;
      try {
        r = await pending;
      } catch (e) {
        throw fileError(path, e);
      }
      if (r.bytesRead === 0) break;
      const cur = bufs[which]!;
      pos += r.bytesRead;
      which ^= 1;
      pending = readAt(pos); // read-ahead into the other buffer
      total += r.bytesRead;
      yield cur.subarray(0, r.bytesRead);
      opts.onProgress?.(total);
    }
    await pending.catch(() => undefined);
  } finally {
    await fh.close();
  }
}

/** Read a small file whole (keys, signatures, certificates): bounded so a wrong path cannot eat memory. */
export async function readSmallFile(path: string, what: string, maxBytes = 16 * 1024 * 1024): Promise<Uint8Array> {
  const { size } = await statInput(path);
  if (size > maxBytes) throw new PqsignError('ERR_FILE', `${what} is ${size} bytes, larger than expected`, { file: path });
  const { readFile } = await import('node:fs/promises');
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    throw fileError(path, e);
  }
}

/** Bytes [start, end) of a file (fewer if it is shorter), for small structures inside large containers. */
export async function readRange(path: string, start: number, end: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of readChunks(path, { start, end, chunkSize: Math.max(1, Math.min(end - start, READ_CHUNK)) })) {
    parts.push(Uint8Array.from(chunk)); // chunks are views into reused buffers
  }
  return parts.length === 1 ? parts[0]! : concatBytes(...parts);
}
