// The format registry: adding a format is one module plus one line here.
import { PqsignError } from '../src/base/errors.js';
import type { Format } from '../src/pipeline/format.js';
import { raw } from './raw.js';
import { uefi } from './uefi/index.js';
import { cose } from './cose.js';
import { jws } from './jws.js';
import { cms } from './cms.js';

export const FORMATS: readonly Format[] = [raw, uefi, cose, jws, cms];

export function formatByName(name: string): Format {
  const f = FORMATS.find((x) => x.name === name);
  if (!f) throw new PqsignError('ERR_USAGE', `unknown format "${name}" (known: ${FORMATS.map((x) => x.name).join(', ')})`);
  return f;
}

/** The format whose container these first bytes are, if any can tell. */
export const detectFormat = (head: Uint8Array): Format | undefined => FORMATS.find((f) => f.detect(head));
