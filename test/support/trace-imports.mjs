// Preloaded into a child node process (--import): appends the URL of every module the process
// resolves to the file named by $PQSIGN_TRACE_IMPORTS, so a test can check what start-up loads.
import { register } from 'node:module';

register('./trace-imports-hooks.mjs', import.meta.url);
