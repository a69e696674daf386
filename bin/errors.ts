// How the CLI shows an error: one line on stderr ("file: problem", options named as flags), or a stable
// JSON object for --json.
import { isPqsignError, type PqsignError } from '../src/base/errors.js';
import { displayPath } from '../src/base/fspath.js';
import { cliMessage } from './option-flags.js';

export { cliMessage } from './option-flags.js';

/** "file: problem" (bytes of a name that are not UTF-8 shown as \xNN). */
export function errorLine(e: PqsignError): string {
  const message = cliMessage(e.message);
  return e.file ? `${displayPath(e.file)}: ${message}` : message;
}

export interface ErrorJson {
  code: string;
  message: string;
  detail?: string;
  scope?: string;
}

export function errorJson(e: unknown): ErrorJson {
  if (isPqsignError(e))
    return { code: e.code, message: errorLine(e), ...(e.detail ? { detail: e.detail } : {}), ...(e.scope ? { scope: e.scope } : {}) };
  return { code: 'ERR_INTERNAL', message: e instanceof Error ? e.message : String(e) };
}
