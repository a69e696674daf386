// Which modules a CLI run loads, for the start-up tests (they assert the set, never a timing: the bench
// measures time). The CLI is a bundle (scripts/bundle.mjs), so each bundle file it loaded is mapped
// back to the sources in it through esbuild's metafile; externals load from node_modules directly.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { CLI, ROOT, tempDir } from './helpers.js';

const RECORDER = join(ROOT, 'test', 'support', 'record-modules.mjs');

type Metafile = { outputs: Record<string, { inputs: Record<string, unknown> }> };
let bundled: Metafile['outputs'] | undefined;

export interface LoadedModules {
  /** node_modules package names (the innermost package of each file) */
  packages: Set<string>;
  /** project modules, as dist/... paths of the tsc output the bundle was made from */
  own: Set<string>;
}

export const loadedModules = (node: string, args: string[]): LoadedModules => traceModules(node, [CLI, ...args]);

/** The modules `node NODE_ARGS` loads, e.g. a script that imports the library bundle (`-e`, `--input-type=module`). */
export function traceModules(node: string, nodeArgs: string[]): LoadedModules {
  bundled ??= (JSON.parse(readFileSync(join(ROOT, 'dist', 'cli', 'meta.json'), 'utf8')) as Metafile).outputs;
  const log = join(tempDir('pqsign-modules-'), 'modules.log');
  writeFileSync(log, '');
  const r = spawnSync(node, ['--import', RECORDER, ...nodeArgs], { encoding: 'utf8', env: { ...process.env, PQSIGN_MODULE_LOG: log } });
  expect(r.status, r.stderr).toBe(0);
  const paths = readFileSync(log, 'utf8')
    .split('\n')
    .filter((u) => u.startsWith('file://'))
    .flatMap((u) => {
      const path = decodeURIComponent(new URL(u).pathname);
      const output = bundled![path.slice(ROOT.length + 1)];
      return output ? Object.keys(output.inputs).map((i) => join(ROOT, i)) : [path];
    });
  const packages = new Set<string>();
  const own = new Set<string>();
  for (const path of paths) {
    const m = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
    if (m) packages.add(m[1]!);
    else if (path.startsWith(`${ROOT}/dist/`)) own.add(path.slice(ROOT.length + 1));
  }
  return { packages, own };
}
