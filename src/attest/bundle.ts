// Attestation bundles (in-toto spec/v1 bundle.md): JSON Lines, one DSSE envelope per line, suffix
// .intoto.jsonl. Lines are read streaming with a length cap; appending rewrites the file atomically.
import { stat } from 'node:fs/promises';
import { PqsignError } from '../errors.js';
import { AtomicWriter } from '../io/atomic.js';
import { fileError, readChunks } from '../io/read.js';

export const DEFAULT_BUNDLE = 'attestation.intoto.jsonl';
/** One envelope line: 10,000 subjects take about 4 MB; far beyond that is not an attestation we wrote. */
export const MAX_LINE_BYTES = 256 * 1024 * 1024;

export interface BundleLine {
  /** 1-based line number */
  line: number;
  text: string;
}

/** Non-blank lines of a bundle, streamed (a huge file is never held whole). */
export async function* readBundleLines(path: string, maxLine = MAX_LINE_BYTES): AsyncGenerator<BundleLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = 1;
  const take = (tail: Buffer): BundleLine | undefined => {
    const whole = pending.length ? Buffer.concat([...pending, tail]) : tail;
    pending = [];
    pendingBytes = 0;
    const text = whole.toString('utf8').replace(/\r$/, '');
    const n = line++;
    return text.trim() === '' ? undefined : { line: n, text };
  };
  for await (const chunk of readChunks(path)) {
    const buf = Buffer.from(chunk); // readChunks reuses its buffers: copy before keeping any part
    let start = 0;
    for (let nl = buf.indexOf(0x0a, start); nl !== -1; nl = buf.indexOf(0x0a, start)) {
      if (pendingBytes + nl - start > maxLine) throw tooLong(path, line, maxLine);
      const l = take(buf.subarray(start, nl));
      if (l) yield l;
      start = nl + 1;
    }
    if (start < buf.length) {
      pending.push(buf.subarray(start));
      pendingBytes += buf.length - start;
      if (pendingBytes > maxLine) throw tooLong(path, line, maxLine);
    }
  }
  if (pending.length) {
    const l = take(Buffer.alloc(0));
    if (l) yield l;
  }
}

const tooLong = (path: string, line: number, max: number) =>
  new PqsignError('ERR_SIGNATURE_FORMAT', `line ${line} is longer than ${max} bytes`, { file: path });

/**
 * Append one line: the old content and the new line go to a temp file that replaces the bundle by
 * rename, so readers see the old bundle or the new one, never a partial line (an O_APPEND write can
 * be cut short by a full disk). The file keeps its permissions. Two processes appending to the same
 * bundle at the same moment are not serialised: the later rename wins; give parallel jobs their own files.
 */
export async function appendLine(path: string, line: string): Promise<void> {
  if (line.includes('\n')) throw new Error('appendLine: a bundle line cannot contain a newline');
  let mode = 0o644;
  let exists = true;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new PqsignError('ERR_FILE', 'is not a regular file', { file: path });
    mode = st.mode & 0o777;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e instanceof PqsignError ? e : fileError(path, e);
    exists = false;
  }
  const w = await AtomicWriter.create(path, mode);
  try {
    let last = 0x0a;
    if (exists) {
      for await (const chunk of readChunks(path)) {
        if (chunk.length) last = chunk[chunk.length - 1]!;
        await w.write(chunk);
      }
    }
    await w.write(Buffer.from(`${last === 0x0a ? '' : '\n'}${line}\n`));
  } catch (e) {
    await w.abort();
    throw e;
  }
  await w.commit();
}
