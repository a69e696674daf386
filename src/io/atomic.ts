// Outputs appear whole or not at all: write a temp file beside the target, fsync, rename.
// Large outputs (embedding formats write the whole artifact) are flushed to disk in the background as
// they are written, so the final fsync waits only for the last few MiB instead of the whole file.
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PqsignError } from '../errors.js';

/** Start a background fdatasync after this many bytes written since the last one. */
const FLUSH_EVERY = 32 * 1024 * 1024;

export class AtomicWriter {
  private unflushed = 0;
  private flushing: Promise<void> | undefined;
  private flushError: unknown;

  private constructor(
    readonly path: string,
    private readonly tmp: string,
    private readonly fh: FileHandle,
  ) {}

  static async create(path: string, mode = 0o644): Promise<AtomicWriter> {
    const tmp = join(dirname(path), `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`);
    try {
      const fh = await open(tmp, 'wx', mode);
      await fh.chmod(mode); // umask must not widen or narrow what we promised (0600 keys)
      return new AtomicWriter(path, tmp, fh);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new PqsignError('ERR_FILE', `cannot write output (${code ?? String(e)})`, { file: path, cause: e });
    }
  }

  async write(data: Uint8Array): Promise<void> {
    let off = 0;
    while (off < data.length) {
      const { bytesWritten } = await this.fh.write(data, off, data.length - off);
      off += bytesWritten;
    }
    this.wrote(data.length);
  }

  /** pwrite at an absolute offset (formats that back-fill a header). */
  async writeAt(data: Uint8Array, position: number): Promise<void> {
    let off = 0;
    while (off < data.length) {
      const { bytesWritten } = await this.fh.write(data, off, data.length - off, position + off);
      off += bytesWritten;
    }
    this.wrote(data.length);
  }

  /** One background fdatasync at a time, on the thread pool, while writing goes on. */
  private wrote(bytes: number): void {
    this.unflushed += bytes;
    if (this.unflushed < FLUSH_EVERY || this.flushing) return;
    this.unflushed = 0;
    this.flushing = this.fh.datasync().catch((e: unknown) => void (this.flushError ??= e)).finally(() => (this.flushing = undefined));
  }

  async commit(): Promise<void> {
    try {
      await this.flushing;
      if (this.flushError) throw this.flushError;
      await this.fh.sync();
      await this.fh.close();
      await rename(this.tmp, this.path);
    } catch (e) {
      await unlink(this.tmp).catch(() => undefined);
      const code = (e as NodeJS.ErrnoException).code;
      throw new PqsignError('ERR_FILE', `cannot write output (${code ?? String(e)})`, { file: this.path, cause: e });
    }
  }

  async abort(): Promise<void> {
    await this.flushing;
    await this.fh.close().catch(() => undefined);
    await unlink(this.tmp).catch(() => undefined);
  }
}

export async function writeFileAtomic(path: string, data: Uint8Array | string, mode = 0o644): Promise<void> {
  const w = await AtomicWriter.create(path, mode);
  try {
    await w.write(typeof data === 'string' ? new TextEncoder().encode(data) : data);
  } catch (e) {
    await w.abort();
    throw e;
  }
  await w.commit();
}
