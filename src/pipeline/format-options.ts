// Options that arrive as data (an offline signing request's resolved options, a library caller without
// types) are checked against the format's own option specs before the format sees them: each property
// must be one the format describes, of the kind it describes.
import { PqsignError } from '../base/errors.js';
import type { Format, FormatOptions, OptionKind } from './format.js';

const isKind = (v: unknown, kind: OptionKind): boolean =>
  kind === 'list' ? Array.isArray(v) && v.every((x) => typeof x === 'string') : typeof v === kind;

/** `value` as the format's options; throws ERR_USAGE naming `what` (e.g. 'request "options"') and the property. */
export function checkFormatOptions<O extends FormatOptions>(format: Format<O>, value: unknown, what: string): O {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PqsignError('ERR_USAGE', `${what} must be an object`);
  const specs: Readonly<Record<string, { kind: OptionKind }>> = format.options ?? {};
  for (const [name, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (!spec) throw new PqsignError('ERR_USAGE', `${what}: the ${format.name} format has no option "${name}"`, { option: name });
    if (!isKind(v, spec.kind))
      throw new PqsignError('ERR_USAGE', `${what}: option "${name}" must be a ${spec.kind === 'list' ? 'list of strings' : spec.kind}`, {
        option: name,
      });
  }
  return value as O;
}
