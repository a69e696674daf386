// Preloaded into a CLI run (--import): records every module it loads into $PQSIGN_MODULE_LOG, ES modules
// through a load hook and CommonJS ones from require.cache at exit (test/module-trace.ts reads the log).
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

register('./record-modules-hooks.mjs', import.meta.url);
const cache = createRequire(import.meta.url).cache;
process.on('exit', () =>
  appendFileSync(
    process.env.PQSIGN_MODULE_LOG,
    Object.keys(cache)
      .map((p) => `file://${p}\n`)
      .join(''),
  ),
);
