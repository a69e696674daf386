// Outputs appear whole or not at all: write a temp file beside the target, fsync, rename.
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PqsignError } from '../errors.js';

export class AtomicWriter {
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
  }

  /** pwrite at an absolute offset (formats that back-fill a header). */
  async writeAt(data: Uint8Array, position: number): Promise<void> {
    let off = 0;
    while (off < data.length) {
      const { bytesWritten } = await this.fh.write(data, off, data.length - off, position + off);
      off += bytesWritten;
    }
  }

  async commit(): Promise<void> {
    try {
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
