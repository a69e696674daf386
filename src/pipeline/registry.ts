// The formats and key schemes pqsign knows: the built-in formats and third-party plugins register here
// (the core never imports formats/; lib/ and the CLI register the built-ins). A plugin is a module that
// exports `formats` and/or `keySchemes` (docs/api.md); the modules loaded are remembered so batch worker
// threads can load the same ones.
import { PqsignError } from '../base/errors.js';
import type { Format, OptionKind, OptionSpec } from './format.js';
import { registerKeyScheme, type KeyScheme } from './keyref.js';

const registered: Format[] = [];
const pluginUrls: string[] = [];

const NAME = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * What a plugin module exports: `pqsign --plugin MODULE` and `loadPlugin(url)` import it and register
 * everything in it. Batch verification loads the same module again in each worker thread, so its
 * registrations must come from these exports alone.
 */
export interface PqsignPlugin {
  /** formats to register (names and suffixes must be new) */
  readonly formats?: readonly Format[];
  /** URI scheme name → lazy loader, e.g. { vault: async () => vaultScheme } for `vault://...` key refs */
  readonly keySchemes?: Readonly<Record<string, () => Promise<KeyScheme>>>;
}

/**
 * Add a format. Its name and suffix must be new; structure is checked here so a broken plugin fails at
 * registration, not half-way through a signature. Registering the same object twice is a no-op.
 */
export function registerFormat(format: Format): void {
  if (registered.includes(format)) return;
  const bad = (why: string) => new PqsignError('ERR_PLUGIN', `format "${String(format?.name)}": ${why}`);
  if (typeof format !== 'object' || format === null) throw new PqsignError('ERR_PLUGIN', 'a format must be an object');
  if (typeof format.name !== 'string' || !NAME.test(format.name)) throw bad('name must match /^[a-z][a-z0-9-]{0,31}$/');
  if (typeof format.suffix !== 'string' || !/^\.[A-Za-z0-9._-]{1,31}$/.test(format.suffix))
    throw bad('suffix must be "." followed by 1-31 of [A-Za-z0-9._-]');
  for (const m of ['embedsPayload', 'detect', 'beginSign', 'verify'] as const) {
    if (typeof format[m] !== 'function') throw bad(`${m} must be a function`);
  }
  const clash = registered.find((f) => f.name === format.name || f.suffix === format.suffix);
  if (clash) throw bad(`clashes with the registered format "${clash.name}" (name or suffix ${clash.suffix})`);
  checkOptionSpecs(format, bad);
  registered.push(format);
}

const KINDS: readonly OptionKind[] = ['string', 'boolean', 'list'];
const specsOf = (f: Format) => Object.entries((f.options ?? {}) as Readonly<Record<string, OptionSpec>>);

/** Option specs are well-formed, and an option name shared with another format has the same kind there. */
function checkOptionSpecs(format: Format, bad: (why: string) => PqsignError): void {
  if (format.options !== undefined && (typeof format.options !== 'object' || format.options === null))
    throw bad('options must be an object');
  for (const [name, spec] of specsOf(format)) {
    if (!/^[a-z][A-Za-z0-9]{0,63}$/.test(name)) throw bad(`option "${name}" must be a camelCase name`);
    if (
      !KINDS.includes(spec?.kind) ||
      !Array.isArray(spec.for) ||
      !spec.for.every((c) => c === 'sign' || c === 'verify') ||
      typeof spec.describe !== 'string'
    ) {
      throw bad(`option "${name}" needs kind (${KINDS.join('|')}), for (sign, verify) and describe`);
    }
    for (const f of registered) {
      const other = specsOf(f).find(([n]) => n === name)?.[1];
      if (other && other.kind !== spec.kind)
        throw bad(`option "${name}" is a ${spec.kind} here but a ${other.kind} in the ${f.name} format: one name, one meaning`);
    }
  }
}

/** Every registered format, built-ins first (in registration order, which is also detection order). */
export const registeredFormats = (): readonly Format[] => registered;

/** The registered format of this name; ERR_USAGE naming the known ones otherwise. */
export function formatByName(name: string): Format {
  const f = registered.find((x) => x.name === name);
  if (!f) throw new PqsignError('ERR_USAGE', `unknown format "${name}" (known: ${registered.map((x) => x.name).join(', ')})`);
  return f;
}

/** The format whose container these first bytes are, if any can tell. */
export const detectFormat = (head: Uint8Array): Format | undefined => registered.find((f) => f.detect(head));

/** Register everything a plugin module exports. */
export function registerPlugin(plugin: PqsignPlugin): void {
  for (const f of plugin.formats ?? []) registerFormat(f);
  for (const [name, load] of Object.entries(plugin.keySchemes ?? {})) {
    if (!/^[a-z][a-z0-9+.-]*$/.test(name) || typeof load !== 'function')
      throw new PqsignError('ERR_PLUGIN', `key scheme "${name}": needs a lower-case scheme name and a loader function`);
    registerKeyScheme(name, load);
  }
}

/** Import a plugin module by URL (file: URLs for paths) and register it; remembered for worker threads. */
export async function loadPlugin(url: string): Promise<void> {
  if (pluginUrls.includes(url)) return;
  let mod: PqsignPlugin;
  try {
    mod = (await import(url)) as PqsignPlugin;
  } catch (e) {
    throw new PqsignError('ERR_PLUGIN', `cannot load plugin ${url}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!mod.formats && !mod.keySchemes) throw new PqsignError('ERR_PLUGIN', `plugin ${url} exports neither "formats" nor "keySchemes"`);
  registerPlugin(mod);
  pluginUrls.push(url);
}

/** The plugin modules loaded so far (a batch worker loads the same ones). */
export const loadedPlugins = (): readonly string[] => pluginUrls;
