// Format options as flags. Every registered format describes its options (Format.options); each becomes a
// flag of `sign` / `verify`, so a new format needs no CLI edit. The mapping is one rule, both ways:
// option property `contentType` ↔ flag `--content-type` (yargs hands the flag back under the property name).
// Only here do flags turn into a format's typed options.
import type { Options } from 'yargs';
import { PqsignError } from '../src/base/errors.js';
import type { Format, FormatOptions, OptionSpec, OptionsByFormat } from '../src/pipeline/format.js';
import { registeredFormats } from '../src/pipeline/registry.js';
import { cliMessage, flagOf } from './option-flags.js';

export { flagOf } from './option-flags.js';

type Command = 'sign' | 'verify';

const specsOf = (f: Format): ReadonlyArray<[string, OptionSpec]> =>
  Object.entries((f.options ?? {}) as Readonly<Record<string, OptionSpec>>);

/** yargs declarations for the options formats take for `command` (a list is a repeatable string flag). */
export function formatFlags(command: Command): Record<string, Options> {
  const out: Record<string, Options> = {};
  for (const f of registeredFormats()) {
    for (const [option, spec] of specsOf(f)) {
      const flag = flagOf(option);
      if (spec.for.includes(command) && !out[flag]) {
        out[flag] = { type: spec.kind === 'boolean' ? 'boolean' : 'string', describe: cliMessage(spec.describe), group: 'Format options:' };
      }
    }
  }
  return out;
}

/** A format's typed options from the parsed command line: each option it takes for `command`, checked for its kind. */
export function formatOptions<O extends FormatOptions>(format: Format<O>, argv: Readonly<Record<string, unknown>>, command: Command): O {
  const out: Record<string, string | boolean | string[]> = {};
  for (const [option, spec] of specsOf(format as Format)) {
    const v = argv[option];
    if (!spec.for.includes(command) || v === undefined) continue;
    const flag = `--${flagOf(option)}`;
    if (spec.kind === 'list') out[option] = (Array.isArray(v) ? v : [v]).map(String);
    else if (Array.isArray(v)) throw usage(`${flag} is given more than once`);
    else if (spec.kind === 'boolean') out[option] = v === true;
    else out[option] = String(v);
  }
  return out as O;
}

/** Options for every registered format, by name: verify meets whichever format a container is. */
export const optionsByFormat = (argv: Readonly<Record<string, unknown>>, command: Command): OptionsByFormat =>
  Object.fromEntries(registeredFormats().map((f) => [f.name, formatOptions(f, argv, command)]));

/** A format flag given for a format that does not take it is refused, not silently dropped. */
export function refuseOtherFormatsFlags(format: Format, argv: Readonly<Record<string, unknown>>, command: Command): void {
  const own = new Set(
    specsOf(format)
      .filter(([, s]) => s.for.includes(command))
      .map(([o]) => o),
  );
  for (const f of registeredFormats()) {
    for (const [option, spec] of specsOf(f)) {
      if (own.has(option) || !spec.for.includes(command) || argv[option] === undefined) continue;
      const takers = registeredFormats()
        .filter((g) => specsOf(g).some(([o, s]) => o === option && s.for.includes(command)))
        .map((g) => g.name);
      throw usage(
        `--${flagOf(option)} is not an option of the ${format.name} format (${takers.join(', ')} take${takers.length === 1 ? 's' : ''} it)`,
      );
    }
  }
}

const usage = (message: string) => new PqsignError('ERR_USAGE', message);
