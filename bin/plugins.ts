// `--plugin MODULE` (repeatable, anywhere on the command line): third-party formats and key schemes,
// loaded only when asked for on the command line — never from the environment or a config file, so a
// verify cannot be changed by what happens to be installed. Taken out of the arguments before yargs
// sees them, because format flags are built from the registry when commands are defined.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PqsignError } from '../src/base/errors.js';
import { loadPlugin } from '../src/pipeline/registry.js';

export const PLUGIN_HELP =
  'load a module that adds formats or key schemes (a path, or a package installed where you run pqsign; repeatable; docs/api.md)';

/** Split `--plugin X` / `--plugin=X` out of args; returns the rest and the module names. */
export function takePlugins(args: readonly string[]): { args: string[]; plugins: string[] } {
  const rest: string[] = [];
  const plugins: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      rest.push(...args.slice(i));
      break;
    }
    if (a === '--plugin') {
      const v = args[++i];
      if (v === undefined || v === '') throw new PqsignError('ERR_USAGE', '--plugin needs a module path or package name');
      plugins.push(v);
    } else if (a.startsWith('--plugin=')) {
      plugins.push(a.slice('--plugin='.length));
    } else rest.push(a);
  }
  return { args: rest, plugins };
}

/** A path (anything with a slash, or ending in .js/.mjs) is taken from the working directory; else a package resolved from it. */
export function pluginUrl(spec: string, cwd = process.cwd()): string {
  if (spec.includes('/') || spec.includes('\\') || /\.m?js$/.test(spec)) {
    const file = isAbsolute(spec) ? spec : resolve(cwd, spec);
    if (!existsSync(file)) throw new PqsignError('ERR_PLUGIN', `plugin ${spec}: no such file`);
    return pathToFileURL(file).href;
  }
  try {
    return pathToFileURL(createRequire(resolve(cwd, 'package.json')).resolve(spec)).href;
  } catch {
    throw new PqsignError('ERR_PLUGIN', `plugin "${spec}" is not installed where pqsign runs (${cwd}); give a path to load a file`);
  }
}

export async function loadPlugins(specs: readonly string[]): Promise<void> {
  for (const s of specs) await loadPlugin(pluginUrl(s));
}
