// One read pass over a file with large buffers and read-ahead: while the caller hashes chunk N,
// the thread pool is already reading chunk N+1. Chunks are views into two reused buffers, so a
// chunk is valid only until the next iteration: consume it synchronously (hash update copies).
// Small files and ranges (up to SYNC_READ_MAX) are read with synchronous calls instead: each async
// file operation is a thread-pool round trip (~20 µs of main-thread work plus the wait), and a batch
// of small files made ~15 of them per file — more than the native ML-DSA verify itself.
import { closeSync, openSync, readFileSync, readSync, statSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { PqsignError } from '../base/errors.js';
import { fsPath } from '../base/fspath.js';

/**
 * Read size. Measured (bench row "read size"): from 512 KiB up the main thread is hashing-bound and its
 * time per GiB is flat; 128–256 KiB reads add 2–7 % of per-read overhead. 4 MiB is as fast as any size
 * from the page cache and makes fewer, larger reads of cold files, for 8 MiB of buffers.
 */
export const READ_CHUNK = 4 * 1024 * 1024;

/** Largest file or range read with synchronous calls (it blocks this thread for at most ~1 ms from the cache). */
export const SYNC_READ_MAX = 1024 * 1024;

export async function statInput(path: string): Promise<{ size: number }> {
  let st;
  try {
    st = statSync(fsPath(path)); // a stat never waits on file data: one syscall, no thread-pool round trip
  } catch (e) {
    throw fileError(path, e);
  }
  checkRegular(st, path);
  return { size: st.size };
}

/**
 * The one check every input goes through: a regular file. A device (/dev/zero, /dev/urandom) stats as
 * 0 bytes and would read as empty or endless content, a FIFO or process substitution (<(cat f)) blocks
 * or reads once: none of them is something a signature can be checked against.
 */
function checkRegular(st: Stats, path: string): void {
  if (st.isDirectory()) throw new PqsignError('ERR_FILE', 'is a directory, expected a file', { file: path });
  if (!st.isFile())
    throw new PqsignError('ERR_FILE', 'is not a regular file (a device, FIFO or socket cannot be signed or verified)', { file: path });
}

export function fileError(path: string, e: unknown): PqsignError {
  const code = (e as NodeJS.ErrnoException)?.code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'is a directory, expected a file'
          : code === 'ENOTDIR'
            ? 'a parent of this path is not a directory'
            : `cannot read (${code ?? String(e)})`;
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
  const small = readSmallRange(path, opts, Math.min(SYNC_READ_MAX, chunkSize));
  if (small) {
    if (small.length) {
      yield small;
      opts.onProgress?.(small.length);
    }
    return;
  }
  let fh;
  try {
    fh = await open(fsPath(path), 'r');
  } catch (e) {
    throw fileError(path, e);
  }
  try {
    const st = await fh.stat();
    checkRegular(st, path);
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
  try {
    if (size <= SYNC_READ_MAX) return new Uint8Array(readFileSync(fsPath(path)));
    const { readFile } = await import('node:fs/promises');
    return new Uint8Array(await readFile(fsPath(path)));
  } catch (e) {
    throw fileError(path, e);
  }
}

/**
 * The range [start, end) of a regular file in one synchronous read when it is at most `max` bytes (an
 * empty array for an empty range); undefined for a larger range, which readChunks streams.
 */
function readSmallRange(path: string, opts: ReadOptions, max: number): Uint8Array | undefined {
  let st: Stats;
  try {
    st = statSync(fsPath(path)); // stat first: opening a FIFO would block this thread until a writer appears
  } catch (e) {
    throw fileError(path, e);
  }
  checkRegular(st, path);
  const start = opts.start ?? 0;
  const end = Math.min(opts.end ?? st.size, st.size);
  if (end - start > max) return undefined;
  const buf = Buffer.allocUnsafe(Math.max(0, end - start));
  let got = 0;
  let fd: number | undefined;
  try {
    fd = openSync(fsPath(path), 'r');
    for (let n = -1; got < buf.length && n !== 0; got += n) n = readSync(fd, buf, got, buf.length - got, start + got);
  } catch (e) {
    throw fileError(path, e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, got);
}
