// Outputs appear whole or not at all: write a temp file beside the target, fsync, rename.
// Large outputs (embedding formats write the whole artifact) are flushed to disk in the background as
// they are written, so the final fsync waits only for the last few MiB instead of the whole file.
// Every temp file that exists is in one registry, so whoever ends the process early (the CLI on a
// signal or a crash) can remove them all synchronously: an interrupted run leaves no `.NAME.tmp-*`.
import { unlinkSync } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PqsignError } from '../base/errors.js';
import { fsByteLength, fsPath } from '../base/fspath.js';

/** Start a background fdatasync after this many bytes written since the last one. */
const FLUSH_EVERY = 32 * 1024 * 1024;
/** Block size when moving bytes within an output (moveUp). */
const MOVE_CHUNK = 4 * 1024 * 1024;

/** Longest file name (bytes) on the file systems pqsign writes to (ext4, XFS, btrfs, APFS, NTFS). */
const NAME_MAX = 255;
const TEMP_RANDOM_HEX = 12;
/** `.NAME.tmp-` and 12 hex digits: a temp name of ours (walks, and so verify --recursive, skip them). */
const TEMP_NAME = /^\..*\.tmp-[0-9a-f]{12}$/s;

export const isTempName = (name: string): boolean => TEMP_NAME.test(name);

/**
 * The temp name for `name`: `.NAME.tmp-RANDOM`, with NAME cut short (at a character boundary) when the
 * whole would pass NAME_MAX, so any name the target may have still gets a temp file beside it.
 */
export function tempNameFor(name: string): string {
  const extra = '.'.length + '.tmp-'.length + TEMP_RANDOM_HEX;
  let stem = name;
  while (stem && fsByteLength(stem) + extra > NAME_MAX) stem = [...stem].slice(0, -1).join('');
  return `.${stem}.tmp-${randomBytes(TEMP_RANDOM_HEX / 2).toString('hex')}`;
}

const live = new Set<string>();

/**
 * Remove every temp file still open (synchronous: callable from a signal or 'exit' handler, where no
 * promise will settle). Returns how many were removed.
 */
export function removeTempFilesSync(): number {
  let removed = 0;
  for (const tmp of live) {
    try {
      unlinkSync(fsPath(tmp));
      removed++;
    } catch {
      // already renamed into place or removed: nothing left behind
    }
  }
  live.clear();
  return removed;
}

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
    const tmp = join(dirname(path), tempNameFor(basename(path)));
    live.add(tmp); // before it exists: a signal during open must not miss it
    try {
      const fh = await open(fsPath(tmp), 'wx+', mode); // readable too: moveUp reads back what was written
      await fh.chmod(mode); // umask must not widen or narrow what we promised (0600 keys)
      return new AtomicWriter(path, tmp, fh);
    } catch (e) {
      live.delete(tmp);
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

  /**
   * Move the bytes [start, end) written so far up to `to` (> start), from the end backwards so nothing is
   * overwritten before it is read: an embedded artifact whose container prefix grew after signing.
   */
  async moveUp(start: number, end: number, to: number): Promise<void> {
    if (to < start) throw new Error('AtomicWriter.moveUp moves bytes to a higher offset only');
    const buf = new Uint8Array(Math.min(MOVE_CHUNK, Math.max(end - start, 1)));
    for (let hi = end; hi > start;) {
      const lo = Math.max(start, hi - buf.length);
      const piece = buf.subarray(0, hi - lo);
      for (let got = 0; got < piece.length;) {
        const { bytesRead } = await this.fh.read(piece, got, piece.length - got, lo + got);
        if (bytesRead === 0) throw new Error(`AtomicWriter.moveUp: ${this.tmp} is shorter than ${end} bytes`);
        got += bytesRead;
      }
      await this.writeAt(piece, lo + (to - start));
      hi = lo;
    }
  }

  /** One background fdatasync at a time, on the thread pool, while writing goes on. */
  private wrote(bytes: number): void {
    this.unflushed += bytes;
    if (this.unflushed < FLUSH_EVERY || this.flushing) return;
    this.unflushed = 0;
    this.flushing = this.fh
      .datasync()
      .catch((e: unknown) => void (this.flushError ??= e))
      .finally(() => (this.flushing = undefined));
  }

  async commit(): Promise<void> {
    try {
      await this.flushing;
      if (this.flushError) throw this.flushError;
      await this.fh.sync();
      await this.fh.close();
      await rename(fsPath(this.tmp), fsPath(this.path));
      live.delete(this.tmp);
    } catch (e) {
      await this.removeTemp();
      const code = (e as NodeJS.ErrnoException).code;
      throw new PqsignError('ERR_FILE', `cannot write output (${code ?? String(e)})`, { file: this.path, cause: e });
    }
  }

  async abort(): Promise<void> {
    await this.flushing;
    await this.fh.close().catch(() => undefined);
    await this.removeTemp();
  }

  private async removeTemp(): Promise<void> {
    await unlink(fsPath(this.tmp)).catch(() => undefined);
    live.delete(this.tmp);
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
