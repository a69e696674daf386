// Container-level operations every format gets through the Format interface: which format a file
// is, its structure (`inspect`), and the payload it embeds (`strip`).
import { stat } from 'node:fs/promises';
import { FORMATS, detectFormat, formatByName } from '../../formats/index.js';
import type { Format } from '../../formats/types.js';
import { PqsignError } from '../errors.js';
import { AtomicWriter } from '../io/atomic.js';
import { readChunks, statInput } from '../io/read.js';
import { readHead } from './verify.js';

/** The format of a container: forced with --format, else recognised by content. */
export async function containerFormat(file: string, forced: string | undefined): Promise<Format> {
  if (forced) {
    await statInput(file);
    return formatByName(forced);
  }
  const format = detectFormat(await readHead(file));
  if (!format) {
    const detectable = FORMATS.filter((f) => f.name !== 'raw').map((f) => f.name).join(', ');
    throw new PqsignError('ERR_SIGNATURE_FORMAT', `is not a container pqsign recognises (${detectable}); a raw signature needs --format raw`, { file });
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
  await refuseToOverwrite(output, file);
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

/** Outputs replace their target atomically; the target must never be one of the inputs. */
export async function refuseToOverwrite(output: string, ...inputs: string[]): Promise<void> {
  const out = await stat(output).catch(() => undefined);
  if (!out) return;
  for (const input of inputs) {
    const st = await stat(input).catch(() => undefined);
    if (st && st.dev === out.dev && st.ino === out.ino) {
      throw new PqsignError('ERR_USAGE', `is also an input (${input}); inputs are never modified: choose another output`, { file: output });
    }
  }
}
