// Container-level operations every format gets through the Format interface: which format a file
// is, its structure (`inspect`), and the payload it embeds (`strip`).
import { registeredFormats, detectFormat, formatByName } from './registry.js';
import type { Format } from './format.js';
import { PqsignError, opt } from '../base/errors.js';
import { AtomicWriter } from '../io/atomic.js';
import { readChunks, statInput } from '../io/read.js';
import { paramBySignatureLength } from '../mldsa/params.js';
import { readHead } from './verify.js';

/** The format of a container: forced with --format, else recognised by content. */
export async function containerFormat(file: string, forced: string | undefined): Promise<Format> {
  if (forced) {
    await statInput(file);
    return formatByName(forced);
  }
  const format = detectFormat(await readHead(file));
  if (!format) {
    const detectable = registeredFormats()
      .filter((f) => f.name !== 'raw')
      .map((f) => f.name)
      .join(', ');
    throw new PqsignError(
      'ERR_SIGNATURE_FORMAT',
      `is not a container pqsign recognises (${detectable}); a raw signature needs ${opt('format', 'raw')}`,
      { file },
    );
  }
  return format;
}

export async function inspectContainer(file: string, format: Format): Promise<Record<string, unknown>> {
  if (!format.inspect) throw new PqsignError('ERR_USAGE', `the ${format.name} format cannot describe its containers`, { file });
  return format.inspect(file);
}

/** Write the payload a container embeds, byte for byte, atomically. Does not verify anything. */
export async function stripPayload(file: string, format: Format, output: string): Promise<{ bytes: number }> {
  if (!format.payload) {
    throw new PqsignError('ERR_USAGE', `${format.name} signatures are detached: there is no payload inside to strip`, { file });
  }
  const loc = await format.payload(file);
  const w = await AtomicWriter.create(output);
  let bytes = 0;
  try {
    for await (const chunk of readChunks(file, { start: loc.start, end: loc.end })) {
      const out: Uint8Array[] = [];
      if (loc.transform) loc.transform(chunk, (b) => void out.push(Uint8Array.from(b)));
      else out.push(chunk);
      for (const b of out) {
        await w.write(b);
        bytes += b.length;
      }
    }
  } catch (e) {
    await w.abort();
    throw e;
  }
  await w.commit();
  return { bytes };
}

/**
 * Is `file` already a signature in `format`, which `sign` may replace without --force (the overwrite
 * rule, src/io/outputs.ts)? Recognised by content; a raw signature has none, so a file of an ML-DSA
 * signature's length counts.
 */
export async function holdsSignature(file: string, format: Format): Promise<boolean> {
  try {
    if (format.name === 'raw') return paramBySignatureLength((await statInput(file)).size) !== undefined;
    return format.detect(await readHead(file));
  } catch {
    return false; // unreadable: not something to replace silently
  }
}

/** sign's (and attach's) exception to the overwrite rule: an earlier signature in the same format. */
export const replacesSignature = (format: Format) => ({
  what: `a ${format.name} signature`,
  test: (file: string) => holdsSignature(file, format),
});
