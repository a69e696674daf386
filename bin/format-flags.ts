// Every registered format's own flags, added to `sign` / `verify` so a new format needs no CLI edit.
import type { Options } from 'yargs';
import { registeredFormats } from '../src/pipeline/registry.js';

export function formatFlags(command: 'sign' | 'verify'): Record<string, Options> {
  const out: Record<string, Options> = {};
  for (const f of registeredFormats()) {
    for (const [name, flag] of Object.entries(f.flags ?? {})) {
      if (flag.for.includes(command) && !out[name]) out[name] = { type: flag.type, describe: flag.describe, group: 'Format options:' };
    }
  }
  return out;
}
