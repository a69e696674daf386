// Load hook for record-modules.mjs (runs on the loader thread): appends each ES module URL loaded.
import { appendFileSync } from 'node:fs';

export async function load(url, context, next) {
  appendFileSync(process.env.PQSIGN_MODULE_LOG, `${url}\n`);
  return next(url, context);
}
