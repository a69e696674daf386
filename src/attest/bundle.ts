// Attestation bundles (in-toto spec/v1 bundle.md): JSON Lines, one DSSE envelope per line, suffix
// .intoto.jsonl. Lines are read streaming with a length cap; appending rewrites the file atomically.
import { stat } from 'node:fs/promises';
import { PqsignError, isPqsignError } from '../base/errors.js';
import { AtomicWriter } from '../io/atomic.js';
import { fileError, readChunks } from '../io/read.js';

export const DEFAULT_BUNDLE = 'attestation.intoto.jsonl';
/**
 * One envelope line. A subject (name, sha256, sha512) takes about 370 bytes once base64-encoded, so
 * 10,000 subjects make about 4 MB and this allows about 20,000. `attest` refuses to write a longer
 * line. Verifying a line costs several times its size in memory (its text, the decoded payload, the
 * parsed statement), which this bounds.
 */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;
/** Envelopes in one bundle: the attestations of a release, from several builds and tools. */
export const MAX_BUNDLE_LINES = 10_000;

export interface BundleLine {
  /** 1-based line number */
  line: number;
  text: string;
}

/**
 * Non-blank lines of a bundle, streamed: one line at a time is in memory, gathered in one buffer reused
 * for every line (a bundle of many large lines makes no garbage per line but its text), refused once
 * it outgrows `maxLine`.
 */
export async function* readBundleLines(path: string, maxLine = MAX_LINE_BYTES, maxLines = MAX_BUNDLE_LINES): AsyncGenerator<BundleLine> {
  let buf = Buffer.allocUnsafe(64 * 1024);
  let len = 0;
  let line = 1;
  let yielded = 0;
  const append = (bytes: Uint8Array) => {
    if (len + bytes.length > maxLine) throw tooLong(path, line, maxLine);
    if (len + bytes.length > buf.length) {
      const bigger = Buffer.allocUnsafe(Math.min(maxLine, Math.max(2 * buf.length, len + bytes.length)));
      buf.copy(bigger, 0, 0, len);
      buf = bigger;
    }
    buf.set(bytes, len);
    len += bytes.length;
  };
  const take = (): BundleLine | undefined => {
    const text = buf.toString('utf8', 0, len).replace(/\r$/, '');
    len = 0;
    const n = line++;
    if (text.trim() === '') return undefined;
    if (++yielded > maxLines) throw new PqsignError('ERR_SIGNATURE_FORMAT', `has more than ${maxLines} envelopes`, { file: path });
    return { line: n, text };
  };
  for await (const chunk of readChunks(path)) {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      append(chunk.subarray(start, nl));
      const l = take();
      if (l) yield l;
      start = nl + 1;
    }
    append(chunk.subarray(start)); // readChunks reuses its buffers: the rest is copied
  }
  const l = take();
  if (l) yield l;
}

const tooLong = (path: string, line: number, max: number) =>
  new PqsignError('ERR_SIGNATURE_FORMAT', `line ${line} is longer than ${max} bytes (${max / 1024 / 1024} MiB)`, { file: path });

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
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw isPqsignError(e) ? e : fileError(path, e);
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
