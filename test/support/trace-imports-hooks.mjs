// Module resolution hook for trace-imports.mjs (runs on the loader thread): records resolved URLs.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (process.env.PQSIGN_TRACE_IMPORTS) appendFileSync(process.env.PQSIGN_TRACE_IMPORTS, `${resolved.url}\n`);
  return resolved;
}
