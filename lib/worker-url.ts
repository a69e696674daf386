// Where the batch worker entry lies: beside this module both in dist/lib/ (tsc) and in the CLI bundle's
// dist/cli/ (scripts/bundle.mjs makes verify-worker an entry point beside the chunks).
export const VERIFY_WORKER_URL = new URL('./verify-worker.js', import.meta.url);
