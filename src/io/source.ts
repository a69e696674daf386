// An artifact to sign, read in one pass: a file, bytes in memory, or a stream (a Node Readable, a web
// ReadableStream or any async iterable of bytes). The signing pipeline reads every kind the same way,
// so a stream is hashed as it arrives with memory flat in its length. Two things a stream cannot do
// are done by spooling it to a private temporary file first (spool()): tell its length before it
// ends (every format lays out its to-be-signed bytes for a known length, so give `size` when it is
// known), and be read a second time (an embedding container whose format declares no `embedding`).
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { PqsignError } from '../base/errors.js';
import { READ_CHUNK, readChunks, statInput } from './read.js';
import { readRange } from './range.js';

/** The reader half of a web ReadableStream (typed by shape, so DOM and node:stream/web streams both fit). */
export interface WebByteStream {
  getReader(): {
    read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>;
    releaseLock(): void;
    cancel(reason?: unknown): Promise<void>;
  };
}

/** What an artifact may be given as: a path, bytes, a Node Readable (or any async iterable of bytes), or a web ReadableStream. */
export type ArtifactInput = string | Uint8Array | AsyncIterable<Uint8Array> | WebByteStream;

export interface Source {
  /** what messages call it: the path, or a label such as "<stream>" */
  readonly name: string;
  /** the file it is read from, if any */
  readonly path: string | undefined;
  /** its length in bytes, when known before reading (files, bytes, streams given a size) */
  readonly size: number | undefined;
  /** can chunks() be called more than once (files and bytes; a stream is read once) */
  readonly rereadable: boolean;
  /** up to `max` bytes from the start, without using up a stream */
  head(max: number): Promise<Uint8Array>;
  /**
   * The bytes in order. A chunk may be a view into a buffer that is reused for the next one: consume it
   * (hash, copy, write) before asking for the next.
   */
  chunks(onProgress?: (bytesRead: number) => void): AsyncIterable<Uint8Array>;
  /** release what the source holds (a spooled stream's temporary file) */
  close(): Promise<void>;
}

const noClose = async () => undefined;

/** A file whose size is already known (stat'ed by the caller). */
export function fileSource(path: string, size: number): Source {
  return {
    name: path,
    path,
    size,
    rereadable: true,
    head: (max) => readRange(path, 0, Math.min(size, max), max),
    chunks: (onProgress) => readChunks(path, { onProgress }),
    close: noClose,
  };
}

export function bytesSource(bytes: Uint8Array, name = '<bytes>'): Source {
  return {
    name,
    path: undefined,
    size: bytes.length,
    rereadable: true,
    head: async (max) => bytes.subarray(0, max),
    async *chunks(onProgress) {
      for (let at = 0; at < bytes.length; at += READ_CHUNK) {
        const end = Math.min(bytes.length, at + READ_CHUNK);
        yield bytes.subarray(at, end);
        onProgress?.(end);
      }
    },
    close: noClose,
  };
}

const isWebStream = (x: unknown): x is WebByteStream => typeof (x as WebByteStream)?.getReader === 'function';

async function* webChunks(stream: WebByteStream): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      if (r.value) yield r.value;
    }
    done = true;
  } finally {
    if (!done) await reader.cancel().catch(() => undefined); // the consumer stopped early: let the producer know
    reader.releaseLock();
  }
}

/** A stream, read once; the first bytes can be looked at (head) before the pass, and are replayed in it. */
export function streamSource(
  stream: AsyncIterable<unknown> | WebByteStream,
  opts: { size?: number | undefined; name?: string | undefined } = {},
): Source {
  const name = opts.name ?? '<stream>';
  const it = (isWebStream(stream) ? webChunks(stream) : stream)[Symbol.asyncIterator]();
  const buffered: Uint8Array[] = []; // chunks head() has taken from the stream and chunks() has not yet replayed
  let bufferedBytes = 0;
  let ended = false;
  let started = false;
  const next = async (): Promise<Uint8Array | undefined> => {
    if (ended) return undefined;
    const r = await it.next();
    if (r.done) {
      ended = true;
      return undefined;
    }
    if (!(r.value instanceof Uint8Array)) {
      throw new PqsignError(
        'ERR_USAGE',
        `yields ${typeof r.value === 'string' ? 'strings' : typeof r.value}, not bytes (a stream of an artifact must yield Buffers or Uint8Arrays)`,
        { file: name },
      );
    }
    return r.value;
  };
  return {
    name,
    path: undefined,
    size: opts.size,
    rereadable: false,
    async head(max) {
      if (started) throw new Error(`${name}: head() after the stream was read`);
      while (bufferedBytes < max) {
        const c = await next();
        if (!c) break;
        const copy = Uint8Array.from(c); // the producer may reuse its buffer
        buffered.push(copy);
        bufferedBytes += copy.length;
      }
      const out = new Uint8Array(Math.min(max, bufferedBytes));
      let at = 0;
      for (const b of buffered) {
        if (at >= out.length) break;
        out.set(b.subarray(0, out.length - at), at);
        at += Math.min(b.length, out.length - at);
      }
      return out;
    },
    async *chunks(onProgress) {
      if (started) throw new PqsignError('ERR_USAGE', 'a stream can be read only once', { file: name });
      started = true;
      let total = 0;
      for (;;) {
        const c = buffered.shift() ?? (await next());
        if (!c) break;
        total += c.length;
        yield c;
        onProgress?.(total);
      }
    },
    async close() {
      if (!ended) await it.return?.();
    },
  };
}

/** Any artifact input as a Source; a path is stat'ed (it must be a regular file). */
export async function sourceOf(input: ArtifactInput, opts: { size?: number | undefined; name?: string | undefined } = {}): Promise<Source> {
  if (typeof input === 'string') return fileSource(input, (await statInput(input)).size);
  if (input instanceof Uint8Array) return bytesSource(input, opts.name);
  if (isWebStream(input) || typeof (input as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === 'function')
    return streamSource(input, opts);
  throw new PqsignError('ERR_USAGE', 'an artifact is a path, a Uint8Array, a Node Readable or a web ReadableStream');
}

/**
 * A stream written to a file in a new private temporary directory (0700; the file 0600), read from
 * there; close() removes it. Memory stays flat; the cost is writing the stream to disk once. Files and
 * bytes are returned as they are. A size the caller declared must be the size that arrived.
 */
export async function spool(src: Source): Promise<Source> {
  if (src.rereadable) return src;
  const tmp = await privateTempDir();
  const path = join(tmp.dir, 'artifact');
  try {
    const out = createWriteStream(path, { mode: 0o600, flags: 'wx' });
    let size = 0;
    try {
      for await (const chunk of src.chunks()) {
        size += chunk.length;
        if (!out.write(Uint8Array.from(chunk))) await once(out, 'drain');
      }
    } finally {
      out.end();
      await once(out, 'close');
    }
    if (src.size !== undefined && size !== src.size) {
      throw new PqsignError('ERR_FILE', `was declared as ${src.size} bytes but ${size} arrived`, { file: src.name });
    }
    const file = fileSource(path, size);
    return { ...file, name: src.name, close: tmp.remove };
  } catch (e) {
    await tmp.remove();
    throw e;
  }
}

/** A new directory only this user can enter (mkdtemp makes it 0700), for files that must not outlive a call. */
export async function privateTempDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'pqsign-tmp-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
